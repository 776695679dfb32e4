#!/bin/bash
# L1 runs OUR rebuilt kvm.ko and kvm-amd.ko, with module BTF and nested SVM.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"

taint_has_O() { grep -q O "/sys/module/$1/taint" && echo "$1 taint: $(cat "/sys/module/$1/taint")"; }
check "kvm is our out-of-tree build" taint_has_O kvm
check "kvm_amd is our out-of-tree build" taint_has_O kvm_amd
check "/dev/kvm exists" test -c /dev/kvm
btf_has() { bpftool btf dump file /sys/kernel/btf/kvm | grep -c "FUNC '$1'"; }
check "/sys/kernel/btf/kvm lists kvm_emulate_hypercall" btf_has kvm_emulate_hypercall
nested() { echo "nested=$(cat /sys/module/kvm_amd/parameters/nested)"; grep -qx 1 /sys/module/kvm_amd/parameters/nested; }
check "kvm_amd has nested SVM" nested
# L1's tick is periodic on its local APIC (vmconfigs/l1.json L1_TICK): QEMU
# 7.2's TCG can lose the wakeup of a one-shot timer's interrupt while L1 runs
# an L2 vCPU (README, the one-vCPU freeze); a periodic timer raises it again
# at the next tick. CPU 0's tick device: mode 0 (periodic), and its clock
# event device the lapic, in state 2 (CLOCK_EVT_STATE_PERIODIC).
tick_periodic() {
	awk '/^Tick Device: mode:/ { mode = $NF }
	     /^Per CPU device: 0$/ { cpu0 = 1 }
	     cpu0 && /^Clock Event Device:/ { dev = $NF }
	     cpu0 && /^ mode:/ { state = $NF; exit }
	     END { printf "tick mode %s, %s in state %s\n", mode, dev, state
		   exit !(mode == 0 && dev == "lapic" && state == 2) }' /proc/timer_list
}
check "L1's tick is periodic on its local APIC" tick_periodic
# L0 passed the job's bound (kvmi.job_timeout: suite.json's timeout times
# the kernel's scale), and the jobs' tokens live that long (lib.sh).
job_bound() {
	local own
	own=$(jq -r --arg job "${KVMI_JOB#"$KVMI_TOP"/}" \
		'.tests[] | select(.job == $job) | .timeout' "$KVMI_TOP/tests/suite.json")
	echo "KVMI_JOB_TIMEOUT=${KVMI_JOB_TIMEOUT:-unset}, suite.json ${own:-none} x scale" \
		"${KVMI_TIMEOUT_SCALE:-unset}, TOKEN_TTL=$TOKEN_TTL"
	[ -n "$own" ] && [ "${KVMI_JOB_TIMEOUT:-}" = "$((own * KVMI_TIMEOUT_SCALE))" ] &&
		[ "$TOKEN_TTL" = "$KVMI_JOB_TIMEOUT" ]
}
check "L1 has the job's bound, and tokens live as long" job_bound
# A KASAN L1 pages with 4 levels (no5lvl, harness/l0/kernel-root): with 5,
# an interrupt early in the boot gets a false KASAN report.
if grep -qx CONFIG_KASAN=y "/boot/config-$(uname -r)"; then
	four_level() {
		echo "cmdline: $(cat /proc/cmdline)"
		! grep -qw la57 /proc/cpuinfo
	}
	check "KASAN L1: 4-level paging (no la57 in /proc/cpuinfo)" four_level
fi
ktap_done
