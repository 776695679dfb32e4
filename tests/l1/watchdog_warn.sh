#!/bin/bash
# Writes a kernel WARNING line and exits 0: the runner must fail it.
echo "<4>WARNING: kvmi-harness watchdog self-test" > /dev/kmsg
echo "KTAP version 1"
echo "1..1"
echo "ok 1 wrote a WARNING line"
