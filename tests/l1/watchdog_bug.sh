#!/bin/bash
# Corrupts a list in L1's kernel through a test module: Debian's kernel
# prints "list_del corruption" and "kernel BUG at lib/list_debug.c" (no
# "BUG:" line). The runner must fail the test on that message, quoted, not
# wait for its timeout and call L1 frozen.
echo "KTAP version 1"
echo "1..1"
insmod "$KVMI_KBUILD/test/kvmi_bug.ko" crash=list
echo "ok 1 the kernel survived a list corruption (it must not)"
