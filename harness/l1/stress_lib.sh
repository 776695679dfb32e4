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
# The pages of the target's RAM file that QEMU process $1 maps.
target_pages_in() {
	local ino range n=0 want
	want=$(inode_of "$TARGET_RAM")
	while read -r range _ _ _ ino _; do
		[ "$ino" = "$want" ] &&
			n=$((n + (0x${range#*-} - 0x${range%-*}) / 4096))
	done < "/proc/$1/maps"
	echo "$n"
}
# json_true FILTER JSON: jq's verdict on JSON, quietly.
json_true() { jq -e "$1" > /dev/null <<< "$2"; }
guest_counters() {
	kvmi-vm exec introspector \
		"cat /sys/kernel/debug/kvmmem/stats; grep ^nr_foll_pin /proc/vmstat"
}

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

# stress_job TIMEOUT KVMI_STRESS_ARGS...: boot the pair, run kvmi-stress
# with these arguments (its progress on L1's console), assert its oracles
# and L1's, then stop the VMs and end the job.
stress_job() {
	local timeout=$1 out st json h0 g0
	shift
	# Two vCPUs in the introspector: its actors race on two CPUs, not
	# only by preemption (the target's config has one).
	KVMI_SMP=${STRESS_SMP:-2} pair_up || ktap_done
	h0=$(kvmi-ctl stats --json | jq -c '{live_tokens, live_maps, retained}')
	g0=$(guest_counters)
	progress "kvmi-stress $*"
	out=$(kvmi-vm exec introspector -t "$timeout" "kvmi-stress $* 2>&1; echo exit=\$?")
	st=$(sed -n 's/^exit=//p' <<< "$out")
	grep '^kvmi-stress:' <<< "$out" | while read -r l; do progress "$l"; done
	json=$(grep -v -e '^kvmi-stress:' -e '^exit=' <<< "$out")
	echo "$json" > "$KVMI_RUN/kvmi-stress.json"
	diag "$(grep '^kvmi-stress:' <<< "$out")"
	diag "$(jq -c '{seed, rounds, seconds, totals, max_live_maps_per_round, oplog_hash}' <<< "$json")"
	check "kvmi-stress $*: every oracle held (exit $st)" \
		json_true '.failure == null' "$json" || diag "$(jq -r '.failure, .replay' <<< "$json")"
	[ -n "${STRESS_REPLAY:-}" ] && check_replay "$json"
	check "it verified words and made maps" \
		json_true '.totals.words_verified > 0 and .totals.oracle_checks > 0 and .totals.maps_made > 0' "$json"
	check "the host's live maps, tokens and retained pages are back at baseline" \
		test "$(kvmi-ctl stats --json | jq -c '{live_tokens, live_maps, retained}')" = "$h0"
	check "the guest driver's objects, areas, window pages and pin counters are back" \
		diff <(echo "$g0") <(guest_counters)
	check "the target's pattern is intact, byte for byte" \
		kvmi-pattern check "$TARGET_RAM" "$PATTERN_GPA" "$PATTERN_GPA" "$PATTERN_SIZE"
	check "no write made after an unmap reached the target (no poison word in its reserved range)" \
		test "$(ram_words "$TARGET_RAM" "$PATTERN_GPA" "$RESERVED_SIZE" | grep -c deadbeefdeadbeef)" = 0
	check "the counter page holds the counter alone" \
		test "$(ram_words "$TARGET_RAM" $((COUNTER_GPA + 8)) 4088 | grep -vc '^0*$')" = 0
	check "the introspector's QEMU maps no page of the target" \
		test "$(target_pages_in "$I")" = 0
	kvmi-vm stop introspector >&2
	kvmi-vm stop target >&2
	ktap_done
}
