#!/bin/bash
# A kernel message from an L2 VM's second life must reach the verdict. The
# introspector's first life fills its console with 400 harmless lines
# (printk_devkmsg on: no ratelimit) and is killed; a new QEMU for it
# prints a WARNING early, well inside the first life's length. A console
# rewritten from its start, or a runner reading on from the old life's
# end, would miss it and pass this job.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
kmsg() { kvmi-vm exec introspector "$1 > /dev/kmsg"; }
check "the introspector boots" start_vms introspector
# shellcheck disable=SC2016 # expanded in the guest
check "its first life prints 400 lines on its console" kmsg \
	'echo on > /proc/sys/kernel/printk_devkmsg; for i in $(seq 400); do echo "<3>kvmi-harness: first life, line $i of 400"; done'
# kvmi-vm kill returns once the QEMU is gone.
check "it is killed" kvmi-vm kill introspector
check "it boots again" start_vms introspector
check "its second life prints a WARNING line" kmsg \
	'echo "<4>WARNING: kvmi-harness watchdog self-test, second life"'
check "the first life's lines are still in its console log" \
	grep -q "first life, line 400 of 400" "$KVMI_RUN/introspector-console.log"
wait_for 30 grep -q "second life" "$KVMI_RUN/introspector-console.log"
kvmi-vm stop introspector >&2
ktap_done
