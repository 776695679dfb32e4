#!/bin/bash
# The edges of /dev/kvmmem, as an introspector meets them (kvmi-mem through
# the guest driver, never a raw hypercall):
# 1. The target's RAM edges. Its memory map comes from QEMU's flat view
#    (QMP "info mtree -f"), an oracle apart from the host handler's own
#    layout: for every range of its RAM backend, the first and the last
#    page map and read, byte for byte, as the RAM file's pages at the
#    offsets QEMU gives; the pages just outside them (the end of RAM, the
#    first page of every other range in the view, above 4 GiB) are
#    refused -ERANGE. The target is paused meanwhile, so no byte moves.
# 2. Every refusal a map through /dev/kvmmem can meet, with its errno: each
#    moves the host's counter for it by one and no other counter, and
#    leaves the window page as it was (kvmi-mem checks its mark).
# -EROFS and -ELOOP cannot come through /dev/kvmmem (its window is an
# ivshmem BAR: writable, never RAM): host_map reaches them by hypercall;
# -EALREADY is kvmmem_test's.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"

pair_up || ktap_done
H0=$(kvmi-ctl stats --json)
PAGE=4096

# The target's flat view (QMP "info mtree -f"), the ranges of its "memory"
# address space alone, asked for once.
VIEW=$(kvmi-vm qmp target human-monitor-command '{"command-line": "info mtree -f"}' |
	jq -r . | tr -d '\r' | awk '
	/^FlatView/ { mem = 0 }
	/^ AS "memory"/ { mem = 1 }
	mem && $1 ~ /^[0-9a-f]+-[0-9a-f]+$/')
# The target's RAM in it: "START END OFFSET" (hex) per range of the RAM
# backend ("ram", vmconfigs/target.json).
ram_ranges() {
	awk '$4 ~ /^(ram|rom)\):$/ && $5 == "ram" {
		split($1, r, "-")
		print r[1], r[2], ($6 ~ /^@/ ? substr($6, 2) : "0")
	}' <<< "$VIEW"
}
# Where gpa (decimal) is in the RAM file, or nothing outside the ranges.
file_offset() {
	local s e o
	while read -r s e o; do
		if [ "$1" -ge $((0x$s)) ] && [ "$1" -le $((0x$e)) ]; then
			echo $((0x$o + $1 - 0x$s))
			return
		fi
	done <<< "$RANGES"
}
page_hex() { od -An -v -tx1 | tr -d ' \n'; }
# The hex of kvmi-mem's dump lines: 8 groups of 4 digits after the address.
dump_hex() { sed -n -E 's/^[0-9a-f]{8,}: (([0-9a-f]{4} ){8}).*/\1/p' | tr -d ' \n'; }

# The first page of every other range in that view (the BIOS ROM, device
# MMIO): not the target's RAM.
other_pages() { awk '$5 != "ram" && $1 ~ /000-/ { split($1, r, "-"); print r[1] }' <<< "$VIEW"; }
RANGES=$(ram_ranges)
OTHERS=$(other_pages)
diag "the first pages of its other ranges:" "$OTHERS"
diag "the target's RAM in QEMU's flat view (start end file-offset):" "$RANGES"
check "QEMU's flat view shows the target's RAM" test -n "$RANGES"

# The pages at the edges: the first and last of each range, the page
# before and after each (inside another range or not), the first page of
# every other range, and the first page above 4 GiB.
edge_pages() {
	local s e o
	{
		while read -r s e o; do
			s=$((0x$s)) e=$((0x$e))
			echo "$s" $((e + 1 - PAGE)) $((e + 1))
			[ "$s" -eq 0 ] || echo $((s - PAGE))
		done <<< "$RANGES"
		for s in $OTHERS; do echo $((0x$s)); done
		echo $((1 << 32))
	} | tr ' ' '\n' | sort -nu
}

# One edge page: mapped, read, compared with the RAM file, unmapped; or
# refused -ERANGE when outside every range (EDGE_INSIDE says which).
edge() {
	local gpa=$1 hex off out want got
	hex=$(printf '0x%x' "$gpa")
	off=$(file_offset "$gpa")
	EDGE_INSIDE=${off:+1}
	out=$(kvmi-vm exec introspector "kvmi-mem map $hex dump $hex $PAGE unmap $hex 2>&1")
	if [ -z "$off" ]; then
		grep -q "^kvmi-mem: map $hex: -ERANGE (" <<< "$out" &&
			! grep -q 'window page changed' <<< "$out" && return 0
		echo "$hex, outside the target's RAM:"; echo "$out" | head -5
		return 1
	fi
	want=$(dd if="$TARGET_RAM" bs="$PAGE" skip=$((off / PAGE)) count=1 status=none | page_hex)
	got=$(dump_hex <<< "$out")
	if [ "${#want}" = $((2 * PAGE)) ] && [ "$got" = "$want" ] &&
		grep -qx "unmapped target gpa $hex" <<< "$out"; then
		return 0
	fi
	echo "$hex (RAM file offset $(printf '0x%x' "$off")): ${#got} hex digits read through the map"
	echo "$out" | grep -v '^[0-9a-f]*: ' | head -5
	echo "through the map: ${got:0:64}..."
	echo "the RAM file:    ${want:0:64}..."
	return 1
}
# Sets INSIDE and OUTSIDE: how many edge pages read as the RAM file, and
# how many outside it were refused.
edges() {
	local gpa bad=0
	INSIDE=0 OUTSIDE=0
	for gpa in $(edge_pages); do
		if ! edge "$gpa"; then
			bad=$((bad + 1))
		elif [ -n "$EDGE_INSIDE" ]; then
			INSIDE=$((INSIDE + 1))
		else
			OUTSIDE=$((OUTSIDE + 1))
		fi
	done
	echo "$INSIDE edge pages read as the RAM file, $OUTSIDE outside refused -ERANGE, $bad wrong"
	[ "$bad" -eq 0 ] && [ "$INSIDE" -gt 0 ] && [ "$OUTSIDE" -gt 0 ]
}
progress "RAM edges, target paused"
check "the target pauses" kvmi-vm pause target
check_here "every RAM range's first and last page read as the RAM file; the pages outside: -ERANGE" edges
check "the target resumes" kvmi-vm resume target
delta() { echo $(($(host_stat "$1") - $(h0 "$1"))); }
diag "edge pages inside the target's RAM: $INSIDE; outside: $OUTSIDE"
check "the host made a map per page inside, refused one per page outside, none live" \
	test "$(delta total_maps) $(delta total_unmaps) $(delta fail_target_range) $(delta live_maps)" \
	= "$INSIDE $INSIDE $OUTSIDE 0"

# refused WHY ERRNO TOKEN_FILE [GPA]: a map through /dev/kvmmem with the
# token in TOKEN_FILE gets ERRNO, the host's fail_WHY moves by one and
# nothing else of its counters moves (fail_WHY empty: the driver refuses,
# the host is never asked).
refused() {
	local why=$1 err=$2 tok=$3 gpa=${4:-$PATTERN_GPA} before after out hex
	hex=$(printf '0x%x' "$gpa")
	before=$(kvmi-ctl stats --json)
	out=$(kvmi-vm exec introspector -i "cat > /run/tr && kvmi-mem -t /run/tr map $hex 2>&1" < "$tok")
	after=$(kvmi-ctl stats --json)
	echo "$out"
	grep -q "^kvmi-mem: map $hex: $err (" <<< "$out" || return 1
	! grep -q 'window page changed' <<< "$out" || return 1
	if [ -n "$why" ]; then
		before=$(jq -c ".fail_$why += 1" <<< "$before")
	fi
	[ "$(jq -cS . <<< "$before")" = "$(jq -cS . <<< "$after")" ] && return 0
	echo "the host's counters moved otherwise:"
	diff <(jq -S . <<< "$before") <(jq -S . <<< "$after") | grep '^[<>]'
	return 1
}
issue() { kvmi-ctl issue -t "$T" -r "$TARGET_RAM" "$@"; }
id_of() { awk '{ print $2 }' <<< "$1"; }

head -c 32 /dev/urandom > "$STATE/forged"
check "a forged token: -EACCES" refused token_unknown -EACCES "$STATE/forged"

check "an unaligned target gpa: -EINVAL, from the driver" refused "" -EINVAL \
	"$STATE/tok" $((PATTERN_GPA + 8))

check "a token bound to another process (L1's init)" \
	issue -w "$WIN" -i 1 -o "$STATE/other-pid"
check "the introspector maps with it: -EPERM" refused wrong_introspector -EPERM "$STATE/other-pid"

# A window the introspector's QEMU does not map: its BAR is not in it.
truncate -s $PAGE "$STATE/other-window"
check "a token for another window" issue -w "$STATE/other-window" -i "$I" -o "$STATE/other-win"
check "the introspector maps into its own: -ENXIO" refused local_range -ENXIO "$STATE/other-win"

issued=$(issue -w "$WIN" -i "$I" -T 1 -o "$STATE/short") && diag "$issued"
check "a token with a 1 s TTL expires" wait_for 60 token_expired "$(id_of "$issued")"
check "the introspector maps with it: -EKEYEXPIRED" refused token_expired -EKEYEXPIRED "$STATE/short"

issued=$(issue -w "$WIN" -i "$I" -o "$STATE/revoked") && diag "$issued"
check "a token revoked" kvmi-ctl revoke "$(id_of "$issued")"
check "the introspector maps with it: -EKEYREVOKED" refused token_revoked -EKEYREVOKED "$STATE/revoked"

LIMIT=/sys/module/kvm/parameters/kvmi_max_maps
max=$(cat $LIMIT)
echo 0 > $LIMIT
check "with kvm.kvmi_max_maps at 0: -ENOSPC" refused map_limit -ENOSPC "$STATE/tok"
echo "$max" > $LIMIT

# The introspector's QEMU past L1's vm.max_map_count (one below its VMAs:
# /proc/PID/maps has a line more, the vsyscall page), for one map.
ORIG=$(sysctl -n vm.max_map_count)
sysctl -qw vm.max_map_count=$(($(wc -l < "/proc/$I/maps") - 2))
check "with its QEMU past vm.max_map_count: -ENOMEM" refused mm -ENOMEM "$STATE/tok"
sysctl -qw vm.max_map_count="$ORIG"

check "past the end of RAM: -ERANGE" refused target_range -ERANGE "$STATE/tok" \
	$((0x$(tail -n 1 <<< "$RANGES" | awk '{ print $2 }') + 1))

# Afterwards: a map works, and everything is as it was.
out=$(kvmi-vm exec introspector "kvmi-mem map $PATTERN_GPA dump $PATTERN_GPA 32 unmap $PATTERN_GPA 2>&1")
diag "$out"
check "a map with the pair's token reads the pattern after all of it" \
	grep -q '^08000000: 0000 0001 494d 564b' <<< "$out"
guest=$(kvmi-vm exec introspector "cat /sys/kernel/debug/kvmmem/stats")
diag "$guest"
check "the guest driver holds no map object and leaked no page" \
	test "$(grep -cE '^(map_objects|leaked_pages) 0$' <<< "$guest")" = 2
# The tokens for another process and another window are live still.
for id in $(kvmi-ctl list | awk -v pair="$(id_of "$ISSUED")" '$3 == "live" && $2 != pair { print $2 }'); do
	kvmi-ctl revoke "$id"
done
check "the host's live maps are back, and its live tokens once the two left are revoked" \
	test "$(host_stat live_maps) $(host_stat live_tokens)" = "$(h0 live_maps) $(h0 live_tokens)"
ktap_done
