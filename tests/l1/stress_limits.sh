#!/bin/bash
# The host's limits, reached and exceeded while kvmi-stress runs in the
# introspector ("random", until its maps are all refused: -x): the live-token
# limit (KVMI_MAX_TOKENS), the per-VM map limit (kvm.kvmi_max_maps, lowered
# by L1 to a few maps), and vm.max_map_count in L1, which the introspector's
# QEMU exhausts (each map splits its window's VMA). Every refusal reaches
# /dev/kvmmem with its errno: the stress counts exactly as many -ENOSPC,
# -ENOMEM and -EKEYREVOKED results as the host counted refusals, and every
# oracle holds.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
MAX_TOKENS=$(sed -n 's/^#define KVMI_MAX_TOKENS[[:space:]]*\([0-9]*\).*/\1/p' \
	"$KVMI_TOP/include/uapi/kvmi.h")
MAX_MAPS=/sys/module/kvm/parameters/kvmi_max_maps
LIMIT=4

stress_pair_up
stress_begin 900 -s 6 -x -a ENOSPC,ENOMEM,EKEYREVOKED random
stress_maps_live
live_maps() { echo $(($(host_stat live_maps) - $(h0 live_maps))); }
# maps_made_after N: the host has made N maps more than now.
maps_again() { check "$1" wait_for 120 host_stat_at_least total_maps $(($(host_stat total_maps) + 8)); }

# 1. Live tokens: up to the limit, and one more.
LIVE=$(host_stat live_tokens) IDS=()
for ((i = LIVE; i < MAX_TOKENS; i++)); do
	IDS+=("$(kvmi-ctl issue -t "$T" -r "$TARGET_RAM" -w "$WIN" -i "$I" -o "$STATE/more" |
		awk '{ print $2 }')")
done
diag "$LIVE live tokens; issued ${#IDS[@]} more"
check "L1 issues tokens up to the live-token limit ($MAX_TOKENS) mid-stress" \
	test "$(host_stat live_tokens)" = "$MAX_TOKENS"
OVER=$(kvmi-ctl issue -t "$T" -r "$TARGET_RAM" -w "$WIN" -i "$I" -o "$STATE/more" 2>&1)
diag "one more: $OVER"
check "one token past the limit is refused: -ENOSPC" grep -q -- '-ENOSPC' <<< "$OVER"
maps_again "the stress's token maps all the same"
for id in "${IDS[@]}"; do kvmi-ctl revoke "$id"; done
check "revoked, the live tokens are back to $LIVE" test "$(host_stat live_tokens)" = "$LIVE"

# 2. Maps per VM: kvm.kvmi_max_maps lowered to $LIMIT under the stress.
ORIG=$(cat "$MAX_MAPS") N0=$(host_stat fail_map_limit)
echo "$LIMIT" > "$MAX_MAPS"
check "the host refuses maps past kvm.kvmi_max_maps=$LIMIT" \
	wait_for 120 host_stat_at_least fail_map_limit $((N0 + 1))
at_most_limit() { [ "$(live_maps)" -le "$LIMIT" ]; }
check "the maps alive drain to the limit" wait_for 120 at_most_limit
# shellcheck disable=SC2034 # i counts samples
held() { for i in {1..50}; do at_most_limit || return 1; done; }
check "and never exceed it while it holds (50 samples)" held
diag "refused for the limit so far: $(($(host_stat fail_map_limit) - N0))"
echo "$ORIG" > "$MAX_MAPS"
maps_again "with the limit back at $ORIG, maps are made again"

# 3. vm.max_map_count in L1: the introspector's QEMU at its limit.
ORIG=$(sysctl -n vm.max_map_count) M0=$(host_stat fail_mm)
COUNT=$(($(wc -l < "/proc/$I/maps") - 1))	# less [vsyscall]
sysctl -qw vm.max_map_count=$((COUNT + 4))
diag "vm.max_map_count $((COUNT + 4)): the introspector's QEMU has $COUNT mappings"
check "the host refuses maps past L1's vm.max_map_count" \
	wait_for 120 host_stat_at_least fail_mm $((M0 + 1))
sysctl -qw vm.max_map_count="$ORIG"
diag "refused for vm.max_map_count: $(($(host_stat fail_mm) - M0))"
maps_again "with vm.max_map_count back, maps are made again"

# 4. The end: L1 revokes the stress's token.
R0=$(host_stat fail_token_revoked)
check "L1 revokes the stress's token" kvmi-ctl revoke "$TOKEN_ID"
check "the host refuses the stress's next maps (token_revoked)" \
	wait_for 120 host_stat_at_least fail_token_revoked $((R0 + 1))
TOKENS_ENDED=1 STRESS_REFUSED=-ENOSPC stress_end
# refused ERRNO COUNTER [MORE]: the stress saw as many ERRNO results as the
# host counted refusals under COUNTER since the baseline, less MORE it
# could not see; the host counted some. (Whether a map or an unmap meets
# vm.max_map_count first is the race's: its -ENOMEM may all be leaks.
# kvmmem_edges has a map refused -ENOMEM for certain.)
refused() {
	local got want more=${3:-0}
	got=$(jq -r --arg e "$1" '.totals.results[$e] // 0' <<< "$STRESS_JSON")
	want=$(($(host_stat "$2") - $(h0 "$2") - more))
	diag "$1: kvmi-stress saw $got, the host counted $want $2${3:+ (and $3 in the driver)}"
	check "every refusal the host counted as $2 reached /dev/kvmmem as $1" \
		test "$got" = "$want" -a $((want + more)) -gt 0
}
refused -ENOSPC fail_map_limit
# An unmap refused as a mapping went is no ioctl's: the driver leaks its
# page, and the stress counts the leaks.
refused -ENOMEM fail_mm "$(jq '.totals.window_pages_leaked' <<< "$STRESS_JSON")"
refused -EKEYREVOKED fail_token_revoked

# 5. The driver's leak-rather-than-free path, for certain: a process
# holds a map and exits while its VMM is at vm.max_map_count, so the host
# refuses the unmap its exit asks for.
kvmi-ctl issue -t "$T" -r "$TARGET_RAM" -w "$WIN" -i "$I" -o "$STATE/tok" > /dev/null
put_token "$STATE/tok"
MAPS=$(host_stat live_maps) M0=$(host_stat fail_mm)
kvmi-vm exec introspector "kvmi-mem map $PATTERN_GPA sleep 3600 > /dev/null 2>&1 &"
check "a process in the introspector holds a map" \
	wait_for 60 host_stat_at_least live_maps $((MAPS + 1))
G1=$(guest_counters introspector)
# One map, one area: objects the census sees alive, not only its zeros.
holds_one() {
	guest_slab_ok "$G1" && grep -q '^slab kvmmem_map 1 ' <<< "$G1" &&
		grep -q '^slab kvmmem_area 1 ' <<< "$G1"
}
check "while it holds it, the driver's caches hold exactly its map object and area" holds_one
sysctl -qw vm.max_map_count=$(($(wc -l < "/proc/$I/maps") - 2))
# shellcheck disable=SC2016 # expands in the introspector
check "it is killed while its VMM is past vm.max_map_count; the driver lists no map" kvmi-vm exec introspector \
	'kill $(pidof kvmi-mem); n=0
	while grep -q . /sys/kernel/debug/kvmmem/mappings && [ $n -lt 600 ]; do
		sleep 0.1; n=$((n + 1)); done; ! grep . /sys/kernel/debug/kvmmem/mappings'
sysctl -qw vm.max_map_count="$ORIG"
check "the host refused the unmap its exit asked for (-ENOMEM)" \
	test "$(host_stat fail_mm)" = $((M0 + 1))
G2=$(guest_counters introspector)
diag "before: $(tr '\n' ' ' <<< "$G1")"
diag "after:  $(tr '\n' ' ' <<< "$G2")"
delta() { echo $(($(awk -v k="$1" '$1 == k { print $2 }' <<< "$G2") -
	$(awk -v k="$1" '$1 == k { print $2 }' <<< "$G1"))); }
check "the driver leaked the window page (still in use, its area gone), and freed its map object" \
	test "$(delta leaked_pages) $(delta window_used) $(delta map_objects) $(delta areas)" = "1 0 -1 -1"
check "the driver's caches hold exactly its objects, red-zoned and poisoned" guest_slab_ok "$G2"
check "the host keeps that map, and only it" test "$(host_stat live_maps)" = $((MAPS + 1))
check "the introspector's kernel says the page was leaked" \
	grep -q 'kvmmem: host refused to unmap gpa .*; window page leaked' \
	"$KVMI_RUN/introspector-console.log"
check "rebinding the driver ends it: its bind says 1 earlier map ended" \
	test "$(rebind_driver)" = 1
check "the host's live maps are back at $MAPS" test "$(host_stat live_maps)" = "$MAPS"
stress_done
