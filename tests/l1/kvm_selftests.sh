#!/bin/bash
# KVM's own selftests (linux-source-6.1) against our kvm.ko and kvm-amd.ko
# in one L1: the subset in tests/l1/kvm_selftests.json (every one passed on
# Debian's modules in the survey) runs on ours with kvmi-trace pfn, pin and
# zap attached across the whole run, as a nested KTAP block with one result
# per selftest. Fails on any selftest that does not pass and on any pfn or
# pin left unpaired. A selftest that fails on ours is then run again on
# Debian's modules, which says whose failure it is (ours, if it passes
# there). After each selftest, SIGUSR1 makes each tracer report, and the
# difference from its previous report is that selftest's totals.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"
# shellcheck source=harness/l1/ksft_lib.sh
. "$KVMI_TOP/harness/l1/ksft_lib.sh"
TMO=$(jq -r .timeout "$KSFT_LIST")
mapfile -t LIST < <(jq -r '.run[].name' "$KSFT_LIST")
# kvmi.ksft_only=A,B on L1's command line (kvmi-run --set
# L1_APPEND=kvmi.ksft_only=dirty_log_test kvm_selftests) runs only those.
if [ -n "${KVMI_KSFT_ONLY:-}" ]; then
	mapfile -t LIST < <(tr , '\n' <<< "$KVMI_KSFT_ONLY")
fi
declare -A RES
declare -A PID
OUT=$KVMI_RUN/kvm-selftests.jsonl
: > "$OUT"

# docs_over FILE N: FILE holds more than N JSON documents (a function, so
# that wait_for counts afresh on every try).
docs_over() { [ "$(jq -s length "$1" 2>/dev/null)" -gt "$2" ] 2>/dev/null; }

# tracer_report MODE: SIGUSR1 to it, then its newest JSON document, once
# it has printed one more than before.
tracer_report() {
	local f=$W/$1.out n
	n=$(jq -s length "$f")
	kill -USR1 "${PID[$1]}"
	if ! wait_for 120 docs_over "$f" "$n"; then
		local p=/proc/${PID[$1]}
		echo "kvmi-trace $1: no report within 120 s; state $(cut -d' ' -f3 "$p/stat")," \
			"wchan $(cat "$p/wchan"), $(wc -c < "$f") bytes out, stderr: $(tail -n 3 "$W/$1.err")" >&2
		return 1
	fi
	jq -sc '.[-1]' "$f"
}

# totals NAME: this selftest's pfns, pins and zaps into TOTALS (JSON), from
# each tracer's report now and the one before. Not in a subshell: it keeps
# the previous reports.
PREV_PFN='{"taken":0,"dropped":0}' PREV_PIN='{"taken":0,"dropped":0}'
totals() {
	local pfn pin zap
	if ! { pfn=$(tracer_report pfn 2>"$W/why") && pin=$(tracer_report pin 2>"$W/why") &&
		zap=$(tracer_report zap 2>"$W/why"); }; then
		sed 's/^/    # /' "$W/why"
		return 1
	fi
	TOTALS=$(jq -nc --argjson a "$pfn" --argjson pa "$PREV_PFN" \
		--argjson b "$pin" --argjson pb "$PREV_PIN" --argjson z "$zap" '{
		pfn_taken: ($a.taken - $pa.taken), pfn_released: ($a.dropped - $pa.dropped),
		pfn_unpaired_now: $a.unbalanced_pfns,
		pins: ($b.taken - $pb.taken), unpins: ($b.dropped - $pb.dropped),
		pins_unbalanced_now: $b.unbalanced_pfns,
		zap_ranges: ([$z.vms[].ranges] | add // 0),
		zap_gfns: ([$z.vms[].gfns] | add // 0)}')
	PREV_PFN=$pfn PREV_PIN=$pin
}

# run_set SET: the list on the loaded modules, as one nested KTAP block,
# then one result for the set.
run_set() {
	local set=$1 i=0 bad=0 name status secs st
	printf '    KTAP version 1\n    1..%d\n' "${#LIST[@]}"
	for name in "${LIST[@]}"; do
		i=$((i + 1))
		progress "$set $i/${#LIST[@]} $name"
		read -r status secs st < <(ksft_run "$set" "$name" "$TMO")
		RES[$set/$name]=$status
		TOTALS='{}'
		if [ "$set" = ours ]; then
			totals "$name" || bad=$((bad + 1))
			printf '    # %s: %s\n' "$name" "$(jq -r 'to_entries |
				map("\(.key) \(.value)") | join(", ")' <<< "$TOTALS")"
		fi
		jq -nc --arg set "$set" --arg n "$name" --arg s "$status" \
			--argjson secs "$secs" --argjson t "$TOTALS" \
			'{set: $set, name: $n, status: $s, seconds: $secs} + $t' >> "$OUT"
		printf '    # %s: %s in %s s (exit %d)\n' "$name" "$status" "$secs" "$st"
		if [ "$status" = pass ]; then
			printf '    ok %d %s\n' "$i" "$name"
		else
			tail -n 8 "$KSFT_LOG/$set/$name.log" | sed 's/^/    # /'
			printf '    not ok %d %s\n' "$i" "$name"
			bad=$((bad + 1))
		fi
	done
	[ "$bad" = 0 ]
}

# With two L1 vCPUs, the live text patching of the static keys the
# selftests flip (kvm_has_noapic_vcpu, ...) stalls L1 under TCG (an RCU
# stall with a CPU in exc_int3): suite.json gives this test L1_SMP=1.
check "L1 has one vCPU" test "$(nproc)" = 1
# A selftest the tree gains is run or excluded with a reason, never ignored.
covered() {
	local missing
	missing=$(comm -23 <(ksft_built) \
		<(jq -r '.run[].name, .excluded[].name' "$KSFT_LIST" | sort))
	[ -z "$missing" ] || { echo "neither run nor excluded: ${missing//$'\n'/ }"; return 1; }
	echo "${#LIST[@]} run, $(jq '.excluded | length' "$KSFT_LIST") excluded with a reason"
}
check "every built selftest is run or excluded with a reason" covered
check "our kvm.ko and kvm-amd.ko loaded" kvm_use ours || ktap_done
KT_QUIET=1
for m in pfn pin zap; do
	kt_start "$m" "$m" --json || { fail "kvmi-trace $m attaches"; ktap_done; }
	PID[$m]=$KT_PID
done
pass "kvmi-trace pfn, pin and zap attached"
if run_set ours; then
	pass "ours: ${#LIST[@]} selftests pass on our kvm.ko"
else
	fail "ours: ${#LIST[@]} selftests pass on our kvm.ko"
fi
for m in pfn pin zap; do
	kill -INT "${PID[$m]}"
	wait "${PID[$m]}"
	cp "$W/$m.out" "$KVMI_RUN/kvmi-trace-$m.jsonl"	# every report, kept
	jq -sc '.[-1]' "$W/$m.out" > "$W/$m.final"	# the one at exit
done

# Whose failure: each selftest that failed on ours, on Debian's modules.
FAILED=()
for name in "${LIST[@]}"; do
	[ "${RES[ours/$name]}" = pass ] || FAILED+=("$name")
done
if [ "${#FAILED[@]}" -gt 0 ]; then
	LIST=("${FAILED[@]}")
	if check "Debian's kvm.ko and kvm-amd.ko loaded, for the ${#FAILED[@]} failure(s)" kvm_use stock; then
		run_set stock > "$W/stock.ktap"
		sed 's/^ *//; s/^/# stock: /' "$W/stock.ktap"
		for name in "${FAILED[@]}"; do
			if [ "${RES[stock/$name]}" = pass ]; then
				diag "$name: passes on Debian's kvm.ko, ${RES[ours/$name]} on ours: ours"
			else
				diag "$name: ${RES[stock/$name]} on Debian's kvm.ko too: not ours alone"
			fi
		done
	fi
fi
diag "pfn: $(jq -c 'del(.unbalanced, .orphans)' "$W/pfn.final")" \
	"pin: $(jq -c 'del(.unbalanced, .orphans)' "$W/pin.final")"
jqcheck "kvmi-trace pfn: references seen, all released, zero unpaired" "$W/pfn.final" \
	'.final and .taken > 0 and .dropped == .taken and .unbalanced_pfns == 0 and
	(.orphans | length) == 0 and .map_full == 0'
jqcheck "kvmi-trace pin: zero unbalanced pins" "$W/pin.final" \
	'.final and .dropped == .taken and .unbalanced_pfns == 0 and .map_full == 0'
ktap_done
