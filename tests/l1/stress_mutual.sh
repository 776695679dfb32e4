#!/bin/bash
# Topology: two VMs introspect each other at the same time. Each peer
# (vmconfigs/peer.json) is a target (RAM in a memfd, the pattern, the
# counter) and an introspector (a mapping window, the driver): peer1's
# kvmi-stress maps peer2's pages while peer2's maps peer1's, so each QEMU
# is at once an introspector whose pages are replaced and a target whose
# RAM is mapped, and the host handler runs both directions at once (the
# lock order between two VMs' maps). Both stresses' oracles hold, the two
# were seen mapping at the same moment, the host made exactly the maps they
# counted, both drivers' counters are back, and each RAM file holds its
# pattern and the other's stress's writes alone.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"

RAM_SIZE=$(vm_var peer RAM) WIN_SIZE=$(vm_var peer WINDOW)
boot_peers() { kvmi-vm start peer1 -c peer -t 180 && kvmi-vm start peer2 -c peer -t 180; }
check "two peers boot (vmconfigs/peer.json as peer1 and peer2)" boot_peers || ktap_done
P1=$(kvmi-vm pid peer1) P2=$(kvmi-vm pid peer2)
RAM1=$(memfd_of "$P1" "$RAM_SIZE") RAM2=$(memfd_of "$P2" "$RAM_SIZE")
WIN1=$(memfd_of "$P1" "$WIN_SIZE") WIN2=$(memfd_of "$P2" "$WIN_SIZE")
# token FROM FROM_PID FROM_WINDOW TO_PID TO_RAM: a token for TO's RAM, bound
# to FROM and its window, handed to FROM as /run/t.
token() {
	kvmi-ctl issue -t "$4" -r "$5" -w "$3" -i "$2" -T "$TOKEN_TTL" -o "$STATE/tok-$1" &&
		kvmi-vm exec "$1" -i 'cat > /run/t' < "$STATE/tok-$1"
}
check "a token for peer2's RAM, bound to peer1 and its window, handed to peer1" \
	token peer1 "$P1" "$WIN1" "$P2" "$RAM2"
check "a token for peer1's RAM, bound to peer2 and its window, handed to peer2" \
	token peer2 "$P2" "$WIN2" "$P1" "$RAM1"
check "each peer's RAM and window are four distinct files" test "$(for f in "$RAM1" "$RAM2" "$WIN1" "$WIN2"; do
	inode_of "$f"; done | sort -u | wc -l)" = 4

H0=$(kvmi-ctl stats --json)
G1=$(guest_counters peer1) G2=$(guest_counters peer2)
# Holds on both RAM files, for the checks after the stress.
sleep infinity 3< "$RAM1" 4< "$RAM2" &
HOLDER=$!
HELD1=/proc/$HOLDER/fd/3 HELD2=/proc/$HOLDER/fd/4
INO1=$(inode_of "$RAM1") INO2=$(inode_of "$RAM2")

# Scratch pages 0-3 for peer1's stress (in peer2's RAM), 32-35 for peer2's
# (in peer1's): a map that reached the wrong RAM shows there.
A1="-s 21 -R 3 -o 0 random" A2="-s 22 -R 3 -o 32 random"
progress "kvmi-stress $A1 in peer1, $A2 in peer2"
kvmi-vm exec peer1 -t 600 "kvmi-stress $A1 2>&1; echo exit=\$?" > "$STATE/s1.out" &
S1=$!
kvmi-vm exec peer2 -t 600 "kvmi-stress $A2 2>&1; echo exit=\$?" > "$STATE/s2.out" &
S2=$!
# Each QEMU maps a page of the other's RAM, at one moment.
both_mapping() { [ "$(vmas_of "$P1" "$INO2")" -gt 0 ] && [ "$(vmas_of "$P2" "$INO1")" -gt 0 ]; }
check "at one moment, peer1's QEMU maps pages of peer2's RAM and peer2's of peer1's" \
	wait_for 300 both_mapping
wait "$S1" "$S2"
stress_verdict "$(cat "$STATE/s1.out")" "$A1 (peer1 on peer2)" kvmi-stress-peer1
made1=$(jq .totals.maps_made <<< "$STRESS_JSON")
stress_verdict "$(cat "$STATE/s2.out")" "$A2 (peer2 on peer1)" kvmi-stress-peer2
made2=$(jq .totals.maps_made <<< "$STRESS_JSON")
diag "maps the stresses counted: $made1 (peer1) + $made2 (peer2)"
check "the host made exactly the maps both stresses counted" \
	test $(($(host_stat total_maps) - $(h0 total_maps))) = $((made1 + made2))
check "the host's live maps, retained pages and live tokens are back at baseline" \
	test "$(host_stat live_maps) $(host_stat retained) $(host_stat live_tokens)" = \
	"$(h0 live_maps) $(h0 retained) $(h0 live_tokens)"
g1=$(guest_counters peer1) g2=$(guest_counters peer2)
check "peer1's driver objects, areas, window pages and pin counters are back" \
	diff <(echo "$G1") <(echo "$g1")
check "peer2's driver objects, areas, window pages and pin counters are back" \
	diff <(echo "$G2") <(echo "$g2")
guest_slab_checks peer1 "$g1"
guest_slab_checks peer2 "$g2"
ram_checks "$HELD1" peer1
ram_checks "$HELD2" peer2
check "peer1's RAM holds peer2's stress's writes (pages 32-35) and no other" \
	scratch_only "$HELD1" 32 35
check "peer2's RAM holds peer1's stress's writes (pages 0-3) and no other" \
	scratch_only "$HELD2" 0 3
check "neither QEMU maps a page of the other's RAM" \
	test "$(vmas_of "$P1" "$INO2") $(vmas_of "$P2" "$INO1")" = "0 0"
slab_checks
kill "$HOLDER"
kvmi-vm stop peer1 >&2
kvmi-vm stop peer2 >&2
ktap_done
