#!/bin/bash
# Never finishes: the runner must kill L1 at the timeout and report it.
sleep 100000
