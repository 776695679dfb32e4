#!/bin/bash
# make bench: null-hypercall throughput (nr 1, KVM_HC_VAPIC_POLL_IRQ, which
# KVM answers at once) from the introspector, untraced and with each way of
# timing kvm_emulate_hypercall a user has in L1, interleaved in one run:
#   fentry    kvmi-trace hc (fentry/fexit, histograms per hypercall nr)
#   kprobe    kvmi-trace hc -k (kprobe/kretprobe)
#   bpftrace  the one-liner a user would write instead (kfunc/kretfunc
#             into hist())
#   perf      perf kvm stat record on the introspector's QEMU (every VM
#             exit and entry through the kvm tracepoints), if perf runs
# Not a test: it asserts nothing about time; its figures are diagnostics,
# and results/<run>/bench_trace/bench_trace.json keeps them with L1's
# clocksource (make bench runs it once on L1's default and once with
# clocksource=tsc). Its checks are that every tracer saw every call.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"
KT_QUIET=1
N=${KVMI_BENCH_N:-50000}	# kvmi.bench_n=N on L1's command line
ROUNDS=${KVMI_BENCH_ROUNDS:-3}	# kvmi.bench_rounds=N
CLOCK=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
diag "L1 clocksource $CLOCK, $(nproc) CPU(s), $N hypercalls per mode per round, $ROUNDS rounds"
check "introspector boots" start_vms introspector || ktap_done
QEMU_PID=$(kvmi-vm pid introspector)

BT_PROG='kfunc:kvm:kvm_emulate_hypercall { @start[tid] = nsecs; }
kretfunc:kvm:kvm_emulate_hypercall /@start[tid]/ {
	@ns = hist(nsecs - @start[tid]); @calls = count(); delete(@start[tid]);
}'

now() { date +%s%N; }
# run: ns for N hypercalls, minus the cost of an empty exec
run() {
	local a b c d
	a=$(now); kvmi-vm exec introspector true >/dev/null; b=$(now)
	c=$(now); kvmi-vm exec introspector kvmi-hc -n "$N" 1 >/dev/null; d=$(now)
	echo $(( (d - c) - (b - a) ))
}

# wait_alive SECS PID CMD...: wait_for CMD, giving up at once when PID
# exits (a tracer that dies at start does not cost the bound).
wait_alive() {
	local end=$((SECONDS + $1)) pid=$2
	shift 2
	until "$@"; do
		kill -0 "$pid" 2>/dev/null || { echo "process $pid exited" >&2; return 1; }
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# bpftrace prints what BEGIN printed only once every probe is attached (its
# output loop starts after attaching): the marker on its stdout is the event
# to wait for. Its JSON lines go to $W/bt.json.
bt_start() {
	: > "$W/bt.json"	# emptied before the poll, not by the job (kt_start)
	bpftrace -f json -e "BEGIN { printf(\"Tracing\\n\"); } $BT_PROG" > "$W/bt.json" 2> "$W/bt.err" &
	BT_PID=$!
	if ! wait_alive 300 "$BT_PID" grep -q Tracing "$W/bt.json"; then
		diag "bpftrace did not attach:" "$(cat "$W/bt.err")"
		kill "$BT_PID" 2>/dev/null
		return 1
	fi
}
# bt_stop: SIGINT; bpftrace prints its maps as JSON on the way out.
bt_stop() {
	kill -INT "$BT_PID"
	wait "$BT_PID"
}

# perf kvm stat record starts disabled and is enabled through its control
# fifo; the ack is the event to wait for.
pf_start() {
	rm -f "$W/pf.ctl" "$W/pf.ack"
	mkfifo "$W/pf.ctl" "$W/pf.ack"
	perf kvm -o "$W/perf.data" stat record -p "$QEMU_PID" -D -1 \
		--control "fifo:$W/pf.ctl,$W/pf.ack" > "$W/pf.out" 2> "$W/pf.err" &
	PF_PID=$!
	# Read-write opens of a fifo do not wait for the other end: a perf
	# that never starts cannot hang them.
	exec 8<> "$W/pf.ctl" 9<> "$W/pf.ack"
	echo enable >&8
	local ack="" _
	for _ in $(seq 300); do	# 300 s: a bound, not a delay
		read -r -t 1 ack <&9 && break
		kill -0 "$PF_PID" 2>/dev/null || break
	done
	if [ "${ack%%[^a-z]*}" != ack ]; then
		diag "perf kvm stat record was not enabled:" "$(cat "$W/pf.err")"
		kill "$PF_PID" 2>/dev/null
		exec 8>&- 9<&-
		return 1
	fi
}
pf_stop() {
	kill -INT "$PF_PID"
	wait "$PF_PID"
	exec 8>&- 9<&-
}
# pf_vmmcalls: the hypercall exits perf recorded. perf kvm stat report
# prints its vmexit table on stderr; the row of SVM's VMMCALL is
# "hypercall" (VMX's VMCALL, "VMCALL").
pf_vmmcalls() {
	perf kvm -i "$W/perf.data" stat report --event=vmexit 2>&1 |
		awk '$1 == "hypercall" || $1 == "VMCALL" { print $2; f = 1 } END { if (!f) print 0 }'
}

MODES="none fentry kprobe bpftrace"
if pf_start 2>/dev/null; then
	pf_stop
	MODES="$MODES perf"
else
	diag "perf kvm stat does not run in this L1; its mode is left out"
fi

declare -A tot seen
ran=0 want=$((ROUNDS * $(wc -w <<< "$MODES")))
for r in $(seq "$ROUNDS"); do
	for mode in $MODES; do
		rm -f "$W/$mode.json" "$W/bt.json"	# kvmi-trace -o appends
		seen[$mode]=
		case $mode in
		none) t=$(run) ;;
		fentry | kprobe)
			# shellcheck disable=SC2046 # -k or nothing
			kt_start b hc $([ "$mode" = kprobe ] && echo -k) -o "$W/$mode.json" || break 2
			t=$(run); kt_stop > /dev/null
			seen[$mode]=$(jq -s '[.[-1].hypercalls[] | select(.nr == 1) | .count] | add // 0' "$W/$mode.json")
			[ "$mode" = fentry ] && cp "$W/fentry.json" "$KVMI_RUN/fentry.trace.json" ;;
		bpftrace)
			bt_start || break 2
			t=$(run); bt_stop
			seen[$mode]=$(jq -s '[.[] | select(.type == "map") | .data["@calls"] // empty] | add // 0' "$W/bt.json")
			jq -sc '[.[] | select(.type == "hist") | .data["@ns"][]? |
				select(has("min") and has("max") and .count > 0) |
				{low: .min, high: .max, count: .count}] as $b |
				{tool: "bpftrace", mode: "kfunc one-liner", unit: "nsecs",
				 hist: {buckets: $b, count: ($b | map(.count) | add // 0)}}' "$W/bt.json" \
				> "$KVMI_RUN/bpftrace.trace.json" ;;
		perf)
			pf_start || break 2
			t=$(run); pf_stop
			seen[$mode]=$(pf_vmmcalls) ;;
		esac
		tot[$mode]=$(( ${tot[$mode]:-0} + t ))
		ran=$((ran + 1))
		diag "round $r $mode: $N hypercalls in $((t / 1000000)) ms ($(( N * 1000000000 / t )) /s)"
		[ "$mode" = none ] ||
			check "round $r: $mode saw all $N calls (${seen[$mode]:-none})" \
				test "${seen[$mode]:-0}" -ge "$N"
	done
done
check "every mode ran every round ($ran of $want)" test "$ran" -eq "$want"
kvmi-vm stop introspector -t 60 >&2

# The figures, as JSON (jq writes it): calls/s per mode, each traced mode's
# ratio to untraced and overhead, and kvmi-trace's overhead over bpftrace's.
# Only the modes that ran every round count; a ratio that cannot be
# computed is null.
[ "$ran" -eq "$want" ] || tot=()
for mode in $MODES; do
	echo "{\"mode\":\"$mode\",\"ns\":${tot[$mode]:-0}}"
done | jq -s --arg clock "$CLOCK" --argjson n "$N" --argjson rounds "$ROUNDS" '
	map(select(.ns > 0)) | (map({(.mode): .ns}) | add // {}) as $ns |
	def rate(m): if $ns[m] then $n * $rounds * 1e9 / $ns[m] else null end;
	def ratio(m): if rate(m) and rate("none") then rate(m) / rate("none") else null end;
	def overhead(m): if ratio(m) then 1 - ratio(m) else null end;
	{clocksource: $clock, calls_per_round: $n, rounds: $rounds,
	 modes: [.[] | {mode, calls_per_s: rate(.mode), ratio: ratio(.mode),
			overhead: overhead(.mode)}],
	 kvmi_trace_over_bpftrace: (if overhead("fentry") and overhead("bpftrace") and
		overhead("bpftrace") != 0 then overhead("fentry") / overhead("bpftrace")
		else null end)}' \
	> "$KVMI_RUN/bench_trace.json"
jq -r '.modes[] | select(.mode != "none" and .ratio != null) |
	"\(.mode): \(.calls_per_s | floor) hypercalls/s, ratio \(.ratio * 1000 | round / 1000) to untraced (overhead \(.overhead * 1000 | round / 10)%)"' \
	"$KVMI_RUN/bench_trace.json" | while read -r line; do diag "$line"; done
diag "kvmi-trace's overhead / bpftrace's: $(jq '.kvmi_trace_over_bpftrace | if . then . * 1000 | round / 1000 else "n/a" end' "$KVMI_RUN/bench_trace.json")"
check "figures written" jq -e '.modes | length > 1' "$KVMI_RUN/bench_trace.json"
ktap_done
