#!/bin/bash
# A leak in an L2 kernel reaches the verdict: kvmi_bug.ko (crash=leak) in
# the introspector, on the L2 debug kernel, allocates 512 bytes and forgets
# them; the kmemleak scan at the end of the test must find the object and
# the runner fail the test on it, quoted, with kvmi_bug_leak in its
# backtrace. kvmi.l2_leak=stop: the job stops the VM, and kvmi-vm stop's
# scan finds it; end: the job leaves it running, and L1's stage 2 does.
# paused: the job leaves it paused, so that no scan can run: the test must
# fail for that (stage 2's status 96), never pass unscanned.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
check "the introspector boots" start_vms introspector
check "it runs a kernel with kmemleak" \
	kvmi-vm exec introspector test -w /sys/kernel/debug/kmemleak
check "kvmi_bug.ko reaches it" \
	kvmi-vm exec introspector -i 'cat > /run/kvmi_bug.ko' < "$KVMI_L2_KBUILD/test/kvmi_bug.ko"
check "kvmi_bug.ko crash=leak loads (the leak must still fail the test)" \
	kvmi-vm exec introspector insmod /run/kvmi_bug.ko crash=leak
case ${KVMI_L2_LEAK:-} in
stop) kvmi-vm stop introspector >&2 ;;
paused) check "the introspector pauses" kvmi-vm pause introspector ;;
esac
ktap_done
