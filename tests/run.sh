#!/bin/bash
# make run: bring the whole stack up and show it working. Boots the target
# and the introspector inside L1, proves the target's RAM file holds the
# pattern and a live counter, sends one hypercall 32 from the introspector's
# kernel and shows L1's KVM seeing it, then powers everything off.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
TR=/sys/kernel/tracing

progress "booting the target"
check "target up" kvmi-vm start target -t 90
progress "booting the introspector"
check "introspector up" kvmi-vm start introspector -t 90
check "target RAM holds the pattern and a live counter" bash -c \
	"kvmi-pattern check $TARGET_RAM $PATTERN_GPA $PATTERN_GPA $PATTERN_SIZE &&
	 kvmi-pattern counter-wait $TARGET_RAM $COUNTER_GPA 10000"

echo > $TR/trace
echo 1 > $TR/events/kvm/kvm_hypercall/enable
progress "hypercall 32 from the introspector kernel"
diag "introspector: $(kvmi-vm exec introspector kvmi-hc 32 0x1000 0x8000000 0x2000)"
echo 0 > $TR/events/kvm/kvm_hypercall/enable
line=$(grep 'kvm_hypercall: nr 0x20 ' $TR/trace)
diag "L1 tracefs: $line"
check "L1 saw hypercall 32" test -n "$line"
progress "powering off"
check "both VMs power off" bash -c "kvmi-vm stop target && kvmi-vm stop introspector"
ktap_done
