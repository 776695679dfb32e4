#!/bin/bash
# The L1 stack reproducer (issue 9): what has stopped L1 under TCG's nested
# SVM, in one boot. Both L2 VMs up, then rounds of: the kvm:kvm_hypercall
# tracepoint enabled while the introspector makes hypercalls, and kvmi-trace
# hc and pfn attached and detached while both L2 vCPUs run. Not a test:
# harness/l0/stack-measure boots it N times and counts how each boot ended.
# kvmi.stack_parallel=1 on L1's command line (kvmi-run --set
# L1_APPEND=kvmi.stack_parallel=1) boots the two L2 VMs at once.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"
ROUNDS=${KVMI_STACK_ROUNDS:-3}
EV=/sys/kernel/tracing/events/kvm/kvm_hypercall
both_at_once() {
	kvmi-vm start target -t 120 & local a=$!
	kvmi-vm start introspector -t 120 & local b=$!
	wait "$a" && wait "$b"
}

# An L2 VM that did not come up ends the boot: nothing after it can pass.
if [ "${KVMI_STACK_PARALLEL:-0}" = 1 ]; then
	check "both L2 VMs boot at once" both_at_once || ktap_done
else
	check "both L2 VMs boot, one after the other" start_vms target introspector || ktap_done
fi
for r in $(seq "$ROUNDS"); do
	progress "round $r: tracepoint on, hypercalls"
	echo 1 > $EV/enable
	check "round $r: hypercalls with the tracepoint on" \
		kvmi-vm exec introspector kvmi-hc -n 200 1
	echo 0 > $EV/enable
	KT_QUIET=1 kt_start hc hc
	check "round $r: hypercalls with kvmi-trace hc attached" \
		kvmi-vm exec introspector kvmi-hc -n 200 1
	kt_stop
	KT_QUIET=1 kt_start pfn pfn
	check "round $r: the target runs with kvmi-trace pfn attached" \
		kvmi-pattern counter-wait "$(target_ram)" "$COUNTER_GPA" 60000
	kt_stop
done
check "both L2 VMs power off" bash -c "kvmi-vm stop target && kvmi-vm stop introspector"
ktap_done
