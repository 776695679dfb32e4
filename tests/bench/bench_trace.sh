#!/bin/bash
# make bench: null-hypercall throughput (nr 1, KVM_HC_VAPIC_POLL_IRQ, which
# KVM answers at once) from the introspector, with each hypercall tracer
# attached / without, interleaved in the same run. Not a test: it asserts
# nothing about time; its figures are diagnostics.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"
KT_QUIET=1
N=${BENCH_N:-50000}
ROUNDS=${BENCH_ROUNDS:-3}
check "introspector boots" start_vms introspector

now() { date +%s%N; }
# run: ns for N hypercalls, minus the cost of an empty exec
run() {
	local a b c d
	a=$(now); kvmi-vm exec introspector true >/dev/null; b=$(now)
	c=$(now); kvmi-vm exec introspector kvmi-hc -n "$N" 1 >/dev/null; d=$(now)
	echo $(( (d - c) - (b - a) ))
}
declare -A tot
for r in $(seq "$ROUNDS"); do
	for mode in none fentry kprobe; do
		case $mode in
		none) t=$(run) ;;
		fentry) kt_start b hc || break 2; t=$(run); kt_stop > /dev/null ;;
		kprobe) kt_start b hc -k || break 2; t=$(run); kt_stop > /dev/null ;;
		esac
		tot[$mode]=$(( ${tot[$mode]:-0} + t ))
		diag "round $r $mode: $N hypercalls in $((t / 1000000)) ms ($(( N * 1000000000 / t )) /s)"
	done
done
rate() { echo $(( N * ROUNDS * 1000000000 / ${tot[$1]} )); }
base=$(rate none)
for mode in fentry kprobe; do
	r=$(rate $mode)
	diag "$mode: $r hypercalls/s vs $base untraced: ratio $(awk "BEGIN{printf \"%.3f\", $r / $base}") (overhead $(awk "BEGIN{printf \"%.1f\", (1 - $r / $base) * 100}")%)"
done
check "all rounds ran" test ${#tot[@]} -eq 3
kvmi-vm stop introspector -t 60 >&2
ktap_done
