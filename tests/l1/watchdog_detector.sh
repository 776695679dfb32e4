#!/bin/bash
# A detector of the debug kernel fires in L1 through kvmi_bug.ko
# (kvmi.crash=lock: lockdep, leak: kmemleak, uaf: KASAN); the runner must
# fail the test on its report, quoted, with kvmi_bug's frame in it. The
# leak is found by L1's scan after the job (l1-stage2.sh), as any test's is.
echo "KTAP version 1"
echo "1..1"
insmod "$KVMI_KBUILD/test/kvmi_bug.ko" crash="$KVMI_CRASH"
echo "ok 1 kvmi_bug.ko crash=$KVMI_CRASH loaded (the report must still fail the test)"
