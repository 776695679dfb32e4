#!/bin/bash
# Never finishes while L1 stays alive: the runner must kill L1 at the
# timeout and report it, and must not take it for a frozen L1 and retry.
sleep 100000
