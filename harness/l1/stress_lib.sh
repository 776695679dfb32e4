# shellcheck shell=bash
# The stress fixture: kvmi-stress (harness/l2/kvmi_stress.c) in the
# introspector, on the pair pair_up made, and the oracles only L1 can
# check: the host's counters, the target's RAM file byte for byte, and the
# introspector's QEMU. kvmi-stress checks every read, result and the
# driver's own counters itself, and says so in its JSON.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"

# The target's reserved range: the pattern, the counter page, and the
# scratch pages kvmi-stress writes through its maps.
RESERVED_SIZE=$((2 << 20))
# Words of a range of the target's RAM file, one per line (hex).
ram_words() { od -An -v -tx8 -w8 -j "$(($2))" -N "$(($3))" "$1" | tr -d ' '; }
# json_true FILTER JSON: JSON is one document and FILTER holds on it.
json_true() { json_is "$1" <<< "$2"; }
# check_replay JSON: replay round STRESS_REPLAY of the run JSON describes,
# on its own, and check that its actors drew the very same operations:
# the round's operation-log hash is the same.
check_replay() {
	local r=$STRESS_REPLAY cmd want got
	cmd=$(jq -r --argjson r "$r" '.replay | sub("-r [0-9]+"; "-r \($r)")' <<< "$1")
	want=$(jq -r --arg r "$r" '.oplog_hash_per_round[$r]' <<< "$1")
	got=$(kvmi-vm exec introspector -t 600 "$cmd 2> /dev/null" |
		jq -r --arg r "$r" '.oplog_hash_per_round[$r]')
	diag "replay: $cmd: round $r's operation log hash $got, the run's $want"
	check "the replay command draws the same operations (round $r: $want)" \
		test "$got" = "$want" -a "$want" != null
}

# stress_baseline: the host's and the guest driver's counters (H0, G0),
# and a hold on the target's RAM file (RAM, RAM_INO).
stress_baseline() {
	H0=$(kvmi-ctl stats --json)
	G0=$(guest_counters introspector)
	sleep infinity 3< "$TARGET_RAM" &
	HOLDER=$!
	RAM=/proc/$HOLDER/fd/3
	RAM_INO=$(inode_of "$TARGET_RAM")
}

# stress_begin TIMEOUT KVMI_STRESS_ARGS...: after pair_up, note the
# baselines, hold the target's RAM file (RAM: a path to it that outlives
# the target's QEMU), and start kvmi-stress in the introspector, in the
# background (STRESS_PID); its output goes to $STATE/stress.out. The agent
# serves one request at a time: while the stress runs, the job acts and
# watches through L1 alone (kvmi-ctl, QMP, /proc), and a stress L1 must
# end is run with -x: it stops after a round whose maps were all refused
# as -a allows, once L1 has ended the token.
# STRESS_BEFORE and STRESS_AFTER: shell run in the introspector around it,
# in the same request (their output must not reach stdout).
stress_begin() {
	local timeout=$1
	shift
	stress_baseline
	STRESS_ARGS=$*
	progress "kvmi-stress $*"
	kvmi-vm exec introspector -t "$timeout" \
		"${STRESS_BEFORE:-}
		kvmi-stress $* 2>&1; echo exit=\$?
		${STRESS_AFTER:-}" > "$STATE/stress.out" &
	STRESS_PID=$!
}

host_stat_at_least() { [ "$(host_stat "$1")" -ge "$2" ]; }

# stress_end: wait for kvmi-stress and assert its oracles and L1's. The
# host's live tokens are expected back at baseline minus TOKENS_ENDED (a
# token the conductor revoked, let expire, or whose target it killed).
# stress_verdict OUTPUT ARGS [NAME]: a kvmi-stress run's output (its
# progress lines, its JSON, "exit=N") judged: two results, and the JSON in
# STRESS_JSON and $KVMI_RUN/NAME.json.
# stress_held STATUS JSON: kvmi-stress exited 0 with its summary, no failure.
stress_held() { [ "$1" = 0 ] && json_true '.failure == null' "$2"; }
stress_verdict() {
	local out=$1 args=$2 name=${3:-kvmi-stress} st
	st=$(sed -n 's/^exit=//p' <<< "$out")
	grep '^kvmi-stress:' <<< "$out" | while read -r l; do progress "$l"; done
	STRESS_JSON=$(grep -v -e '^kvmi-stress:' -e '^exit=' <<< "$out")
	echo "$STRESS_JSON" > "$KVMI_RUN/$name.json"
	diag "$(grep '^kvmi-stress:' <<< "$out")"
	diag "$(jq -c '{seed, rounds, seconds, totals, max_live_maps_per_round, oplog_hash}' <<< "$STRESS_JSON")"
	check "kvmi-stress $args: every oracle held (exit ${st:-none})" \
		stress_held "$st" "$STRESS_JSON" ||
		diag "$(jq -r '.failure, .replay' <<< "$STRESS_JSON")"
	check "it verified words and made maps" \
		json_true '.totals.words_verified > 0 and .totals.oracle_checks > 0 and .totals.maps_made > 0' "$STRESS_JSON"
}

stress_end() {
	local json want_tokens=$(($(h0 live_tokens) - ${TOKENS_ENDED:-0})) leaked made g
	wait "$STRESS_PID"
	stress_verdict "$(cat "$STATE/stress.out")" "$STRESS_ARGS"
	json=$STRESS_JSON
	# Every map the host made was one of the stress's ioctls (or its
	# lives'), counted; checked before the replay makes more.
	# STRESS_OTHERS: the maps another stress counted.
	made=$(($(jq .totals.maps_made <<< "$json") + ${STRESS_OTHERS:-0}))
	diag "maps kvmi-stress counted: $made"
	check "the host made exactly the maps kvmi-stress counted" \
		test $(($(host_stat total_maps) - $(h0 total_maps))) = "$made"
	[ -n "${STRESS_REPLAY:-}" ] && check_replay "$json"
	[ -n "${STRESS_REFUSED:-}" ] &&
		check "maps were refused with $STRESS_REFUSED once L1 made it so" \
			json_true ".totals.results[\"$STRESS_REFUSED\"] > 0" "$json"
	leaked=$(jq '.totals.window_pages_leaked // 0' <<< "$json")
	if [ "$leaked" -gt 0 ]; then
		leaks_end "$leaked"
	fi
	check "the host's live maps and retained pages are back at baseline, live tokens at $want_tokens" \
		test "$(host_stat live_maps) $(host_stat retained) $(host_stat live_tokens)" = \
		"$(h0 live_maps) $(h0 retained) $want_tokens"
	g=$(guest_counters introspector)
	check "the guest driver's objects, areas, window pages and pin counters are back" \
		diff <(echo "$G0") <(echo "$g")
	guest_slab_checks introspector "$g"
	stress_ram_checks
	slab_checks
}

# leaks_end N: the driver leaked N window pages (the host refused their
# unmap as a mapping went: -a ENOMEM). The host keeps exactly their maps;
# rebinding the driver ends them (its bind's unmap-all) and the counters
# are back, but for leaked_pages, which counts them since the driver loaded.
leaks_end() {
	diag "the driver leaked $1 window pages"
	check "the host keeps exactly the maps of the window pages the driver leaked" \
		test "$(host_stat live_maps)" = $(($(h0 live_maps) + $1))
	check "rebinding the driver ends them: its bind says as many earlier maps ended" \
		test "$(rebind_driver)" = "$1"
	G0=$(awk -v n="$1" '$1 == "leaked_pages" { $2 += n } { print }' <<< "$G0")
}
# rebind_driver: remove the window's device in the introspector and rescan
# (the driver has no unbind): how many earlier maps its new bind ended.
# shellcheck disable=SC2016 # expands in the introspector
rebind_driver() {
	kvmi-vm exec introspector -t 120 'd=$(echo /sys/bus/pci/drivers/kvmmem/0000:*)
		echo 1 > "/sys/bus/pci/devices/${d##*/}/remove" && echo 1 > /sys/bus/pci/rescan
		n=0; until ls -d /sys/bus/pci/drivers/kvmmem/0000:* > /dev/null 2>&1 ||
			[ $n -ge 600 ]; do sleep 0.1; n=$((n + 1)); done
		dmesg | sed -n "s/.*pages; \([0-9]*\) earlier maps ended/\1/p" | tail -n 1'
}

# ram_checks RAM [WHOSE]: a target's RAM file byte for byte: its pattern,
# no poison anywhere in its reserved range, the counter page.
ram_checks() {
	local w=${2:+ ($2)}
	check "the target's pattern is intact, byte for byte$w" \
		kvmi-pattern check "$1" "$PATTERN_GPA" "$PATTERN_GPA" "$PATTERN_SIZE"
	check "no write made after an unmap reached the target (no poison word in its reserved range)$w" \
		test "$(ram_words "$1" "$PATTERN_GPA" "$RESERVED_SIZE" | grep -c deadbeefdeadbeef)" = 0
	check "the counter page holds the counter alone$w" \
		test "$(ram_words "$1" $((COUNTER_GPA + 8)) 4088 | grep -vc '^0*$')" = 0
}
# scratch_written RAM: the indices of the scratch pages (kvmi-stress -o)
# that hold a non-zero word, one per line.
scratch_written() {
	ram_words "$1" "$SCRATCH_GPA" $((255 * 4096)) |
		awk '!/^0+$/ { print int((NR - 1) / 512) }' | uniq
}
SCRATCH_GPA=$((COUNTER_GPA + 4096))
# scratch_only RAM FIRST LAST: RAM holds scratch writes, on pages FIRST to
# LAST alone (says which it holds).
scratch_only() {
	local w
	w=$(scratch_written "$1")
	echo "scratch pages written: $(tr '\n' ' ' <<< "$w")"
	[ -n "$w" ] && [ "$(awk -v a="$2" -v b="$3" '$1 < a || $1 > b' <<< "$w" | wc -l)" = 0 ]
}

# The target's RAM file, through the job's own hold on it.
stress_ram_checks() {
	ram_checks "$RAM"
	if kvmi-vm pid introspector > /dev/null; then
		check "the introspector's QEMU maps no page of the target" \
			test "$(vmas_of "$(kvmi-vm pid introspector)" "$RAM_INO")" = 0
	fi
}

stress_done() {
	kill "$HOLDER" 2> /dev/null
	kvmi-vm stop introspector >&2
	kvmi-vm stop target >&2
	ktap_done
}

# stress_job TIMEOUT KVMI_STRESS_ARGS...: boot the pair (two vCPUs in the
# introspector: its actors race on two CPUs, not only by preemption), run
# kvmi-stress with these arguments (its progress on L1's console), assert
# its oracles and L1's, then stop the VMs and end the job.
# stress_pair_up also sets TOKEN_ID, the token's id for kvmi-ctl revoke.
stress_pair_up() {
	KVMI_SMP=${STRESS_SMP:-2} pair_up || ktap_done
	# shellcheck disable=SC2034 # for the job
	TOKEN_ID=$(awk '{ print $2 }' <<< "$ISSUED")
}
# stress_maps_live: one result, once the stress has 4 maps live
# (the conductor's cue), within 120 s.
maps_live() { host_stat_at_least live_maps $(($(h0 live_maps) + 4)); }
stress_maps_live() { check "the stress has maps live" wait_for 120 maps_live; }
stress_job() {
	stress_pair_up
	stress_begin "$@"
	stress_end
	stress_done
}
