#!/bin/bash
# make bench: the stress's throughput (kvmi-stress's "owned" scenario: map,
# verify, write, unmap) untraced and with every kvmi-trace tracer attached
# in L1 (hc, pin, pfn, zap), interleaved over 3 rounds in one run; the
# ratio goes to results/<run>/bench_stress/bench_stress.json. Not a test
# of time: its checks are that each run's oracles held.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"
KT_QUIET=1
ARGS="-s 1 -n ${KVMI_BENCH_N:-3000} owned"
stress_pair_up
# run MODE ROUND: one stress; its maps and ops per second, as JSON.
run() {
	local out
	out=$(kvmi-vm exec introspector -t 600 "kvmi-stress $ARGS 2> /dev/null")
	check "$1, round $2: every oracle held" json_true '.failure == null' "$out" &&
		jq -c --arg m "$1" '{mode: $m, seconds, ops: (.totals.ops | add),
			maps: .totals.maps_made, ops_per_s: ((.totals.ops | add) / .seconds),
			maps_per_s: (.totals.maps_made / .seconds)}' <<< "$out" >> "$W/bench.jsonl"
}
: > "$W/bench.jsonl"
for r in 1 2 3; do
	run untraced "$r"
	pids=()
	for t in hc pin pfn zap; do
		kt_start "$t" "$t" --json || break 2
		pids+=("$KT_PID")
	done
	run traced "$r"
	kill -INT "${pids[@]}"
	wait "${pids[@]}"
done
jq -s '{runs: ., untraced_ops_per_s: ([.[] | select(.mode == "untraced") | .ops_per_s] | add / length),
	traced_ops_per_s: ([.[] | select(.mode == "traced") | .ops_per_s] | add / length)} |
	.traced_over_untraced = (.traced_ops_per_s / .untraced_ops_per_s)' "$W/bench.jsonl" \
	> "$KVMI_RUN/bench_stress.json"
diag "$(jq -c 'del(.runs)' "$KVMI_RUN/bench_stress.json")"
check "3 untraced and 3 traced runs measured" \
	json_true '(.runs | length) == 6' "$(cat "$KVMI_RUN/bench_stress.json")"
stress_done
