#!/bin/bash
# make run: the feature working, end to end. Boots the target and the
# introspector inside L1, issues a token, and has the introspector map
# target pages through /dev/kvmmem (kvmi-mem): the target's bytes are read
# *through the mapping* and compared with its RAM file byte for byte, and
# the target's live counter moves. kvmi-trace hc, pfn and zap run in L1 and
# kvmi-trace pin inside the introspector across a burst of map/unmap
# cycles; their histograms and balances are printed, the introspector pins
# nothing (maps go into its mapping window, not its RAM), and every counter
# is checked back at its baseline.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"
CYCLES=${KVMI_RUN_CYCLES:-200}
declare -A TRACER

# tracer NAME ARGS...: kvmi-trace ARGS in L1, in the background, until it
# has attached; one KTAP result. Not under check(): TRACER must survive.
tracer() {
	local name=$1
	shift
	: > "$W/$name.err"	# emptied before the poll, not by the job (kt_start)
	"$KT" "$@" > "$W/$name.out" 2> "$W/$name.err" &
	TRACER[$name]=$!
	if wait_for 120 grep -q '^Tracing' "$W/$name.err"; then
		pass "kvmi-trace $name attaches"
	else
		diag "$(cat "$W/$name.err")"
		fail "kvmi-trace $name attaches"
	fi
}
# hexof GPA LEN: the target RAM file's bytes at GPA (below 3 GiB the file
# offset is the gpa), as one hex string.
hexof() { od -An -v -tx1 -j "$(($1))" -N "$2" "$TARGET_RAM" | tr -d ' \n'; }
# le64 HEXBYTES: a little-endian u64 from 16 hex digits.
le64() { local h=$1 v=0 i; for i in 7 6 5 4 3 2 1 0; do v=$(( (v << 8) | 0x${h:$((2 * i)):2} )); done; echo "$v"; }

progress "booting the target and the introspector"
pair_up
diag "token: $ISSUED"
BASE="$(kvmi-ctl stat live_maps) $(kvmi-ctl stat retained)"

progress "attaching kvmi-trace hc, pfn and zap in L1"
# Each tracer's JSON goes beside the consoles, for the report's plots.
tracer hc hc -p "$I" -o "$KVMI_RUN/hc.trace.json"	# hypercalls and the host handler's phases
tracer pfn pfn -o "$KVMI_RUN/pfn.trace.json"
tracer zap zap -o "$KVMI_RUN/zap.trace.json"

# The host handler's counters every 100 ms, for the report's timeline of
# maps alive and operations per second; its first sample is the baseline.
kvmi-ctl watch -i 100 > "$KVMI_RUN/maps.timeline.json" 2> "$W/watch.err" &
WATCH=$!
wait_for 60 test -s "$KVMI_RUN/maps.timeline.json" || diag "kvmi-ctl watch: $(cat "$W/watch.err")"

P=$PATTERN_GPA P2=$((PATTERN_GPA + 4096)) C=$COUNTER_GPA
progress "the introspector maps 3 target pages and reads them through the mapping"
# One process in the introspector: kvmi-trace pin around everything.
out=$(kvmi-vm exec introspector -t 600 -i "
	: > /run/pin.err
	kvmi-trace pin -o /run/pin.json > /run/pin.out 2> /run/pin.err < /dev/null &
	t=\$!
	i=0; until grep -q ^Tracing /run/pin.err; do
		i=\$((i + 1)); [ \$i -gt 1200 ] && { cat /run/pin.err; exit 1; }; sleep 0.1
	done
	kvmi-mem -i
	st=\$?
	kill -INT \$t; wait \$t
	echo '--- pin'
	cat /run/pin.out
	echo '--- pin json'
	cat /run/pin.json
	exit \$st" <<EOF
map $P
map $P2
map $C
list
dump $P 4096
dump $P2 4096
dump $C 8
sleep 1
dump $C 8
unmap $P
unmap $P2
unmap $C
$(for _ in $(seq "$CYCLES"); do echo "map $P"; echo "unmap $P"; done)
EOF
)
st=$?
check "kvmi-mem: every map, read and unmap succeeded" test "$st" -eq 0
diag "$(grep -vE '^[0-9a-f]{8}: ' <<< "$out" | head -7)"
# dumped GPA: the hex bytes kvmi-mem printed for the page at GPA
dumped() { grep "^$(printf '%05x' $(($1 >> 12)))[0-9a-f]\{3\}: " <<< "$out" | cut -c11-49 | tr -d ' \n'; }
diag "the pattern page, through the mapping:" "$(grep "^$(printf '%08x' "$P"):" -A3 <<< "$out")"
check "pattern page 1: 4096 bytes through the mapping = the target's RAM file" \
	test "$(dumped "$P")" = "$(hexof "$P" 4096)"
check "pattern page 2: 4096 bytes through the mapping = the target's RAM file" \
	test "$(dumped "$P2")" = "$(hexof "$P2" 4096)"
mapfile -t cnt < <(grep "^$(printf '%08x' "$C"):" <<< "$out" | cut -c11-29 | tr -d ' ')
c0=$(le64 "${cnt[0]}") c1=$(le64 "${cnt[1]}")
diag "the target's counter through the mapping: $c0, a second later $c1"
check "the target's counter moves forward, read through the mapping" test "$c1" -gt "$c0"
check "$CYCLES map/unmap cycles" test "$(grep -c '^unmapped target gpa' <<< "$out")" -eq $((CYCLES + 3))

kill -INT "$WATCH"
wait "$WATCH"
# shellcheck disable=SC2016 # jq's variables
check "timeline: from its first sample to its last, $((CYCLES + 3)) maps and unmaps, none left" \
	jq -e -s --argjson n $((CYCLES + 3)) 'length > 1 and
		.[-1].total_maps - .[0].total_maps == $n and
		.[-1].total_unmaps - .[0].total_unmaps == $n and .[-1].live_maps == 0' \
	"$KVMI_RUN/maps.timeline.json"
diag "timeline: $(wc -l < "$KVMI_RUN/maps.timeline.json") samples, at most $(jq -s \
	'map(.live_maps) | max' "$KVMI_RUN/maps.timeline.json") maps alive"

progress "detaching the tracers"
for name in hc pfn zap; do
	kill -INT "${TRACER[$name]}"
	wait "${TRACER[$name]}"
done
diag "---- kvmi-trace hc: the host handler, in the introspector's hypercalls ----" "$(cat "$W/hc.out")"
diag "---- kvmi-trace pin (in the introspector) ----" \
	"$(sed -n '/^--- pin$/,/^--- pin json$/p' <<< "$out" | sed '1d;$d')"
sed -n '/^--- pin json$/,$p' <<< "$out" | tail -n +2 > "$KVMI_RUN/pin.trace.json"
diag "---- kvmi-trace pfn ----" "$(cat "$W/pfn.out")"
diag "---- kvmi-trace zap ----" "$(cat "$W/zap.out")"
check "the introspector pinned no page for $((CYCLES + 3)) maps (they go into its window)" \
	grep -qx 'pinned 0, unpinned 0, dropped without a take 0' <<< "$out"
check "pfn balance (L1 KVM): every pfn obtained was released" \
	grep -qx '0 pfn(s) unbalanced, 0 pfn(s) dropped without a take' "$W/pfn.out"
check "map returned 0 for every map" grep -qx "map returned 0: $((CYCLES + 3)) time(s)" "$W/hc.out"
check "unmap returned 0 for every unmap" grep -qx "unmap returned 0: $((CYCLES + 3)) time(s)" "$W/hc.out"
check "host counters back to baseline (live maps, retained)" \
	test "$(kvmi-ctl stat live_maps) $(kvmi-ctl stat retained)" = "$BASE"
# shellcheck disable=SC2016 # runs in the introspector
check "guest: every FOLL_PIN released" kvmi-vm exec introspector '
	echo 1 > /proc/sys/vm/stat_refresh
	a=$(awk "/^nr_foll_pin_acquired/{print \$2}" /proc/vmstat)
	r=$(awk "/^nr_foll_pin_released/{print \$2}" /proc/vmstat)
	echo "nr_foll_pin_acquired $a released $r"; [ "$a" = "$r" ]'
kvmi-ctl stats >&2
progress "powering off"
check "both VMs power off" bash -c "kvmi-vm stop target && kvmi-vm stop introspector"
diag "full output in $KVMI_RUN (ktap, job.log, consoles)"
ktap_done
