#!/bin/bash
# Topology: one introspector stresses two targets at once: two kvmi-stress
# processes in it, one per target's token, on scratch pages 0-3 and 32-35.
# Both stresses' oracles hold, and each target's RAM holds only its own
# stress's writes: a map that reached the other target shows there.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
stress_pair_up
check "a second target boots (target.json as target2)" \
	kvmi-vm start target2 -c target -t 180 || ktap_done
T2=$(kvmi-vm pid target2)
RAM2_FD=$(memfd_of "$T2")
sleep infinity 3< "$RAM2_FD" &
HOLDER2=$!
RAM2=/proc/$HOLDER2/fd/3
token2() {
	kvmi-ctl issue -t "$T2" -r "$RAM2_FD" -w "$WIN" -i "$I" -T "$TOKEN_TTL" -o "$STATE/tok2" &&
		kvmi-vm exec introspector -i 'cat > /run/t2' < "$STATE/tok2"
}
check "a token for it, bound to the same introspector and window, handed over" token2
# One agent request runs both (it serves one at a time); -B: the driver's
# counters are L1's to check once both have ended.
A1="-B -s 9 -R 2 -o 0 random" A2="-B -t /run/t2 -s 10 -R 2 -o 32 random"
stress_baseline
out=$(kvmi-vm exec introspector -t 900 "kvmi-stress $A1 > /run/s1 2>&1; echo exit=\$? >> /run/s1 &
	kvmi-stress $A2 > /run/s2 2>&1; echo exit=\$? >> /run/s2; wait; cat /run/s1; echo ===; cat /run/s2")
stress_verdict "$(sed '/^===$/,$d' <<< "$out")" "$A1 (target)" kvmi-stress-1
stress_verdict "$(sed '1,/^===$/d' <<< "$out")" "$A2 (target2)" kvmi-stress-2
check "the host's live maps and retained pages are back at baseline" \
	test "$(host_stat live_maps) $(host_stat retained)" = "$(h0 live_maps) $(h0 retained)"
g=$(guest_counters introspector)
check "the guest driver's objects, areas, window pages and pin counters are back" \
	diff <(echo "$G0") <(echo "$g")
guest_slab_checks introspector "$g"
ram_checks "$RAM" target
ram_checks "$RAM2" target2
check "the target holds its stress's writes (pages 0-3) and none of the other's" \
	scratch_only "$RAM" 0 3
check "target2 holds its stress's writes (pages 32-35) and none of the other's" \
	scratch_only "$RAM2" 32 35
check "the introspector's QEMU maps no page of either target" \
	test "$(vmas_of "$I" "$RAM_INO") $(vmas_of "$I" "$(inode_of "$RAM2")")" = "0 0"
slab_checks
kill "$HOLDER2"
kvmi-vm stop target2 >&2
stress_done
