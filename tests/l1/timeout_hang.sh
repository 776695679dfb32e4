#!/bin/bash
# Never finishes while L1 stays alive: the runner must kill L1 at the
# timeout and report it, and must not take it for a frozen L1 and retry;
# the result reached before the hang must still be shown.
# shellcheck source=harness/lib/ktap.sh
. "$KVMI_TOP/harness/lib/ktap.sh"
pass "reached before the hang"
sleep 100000
