#!/bin/bash
# Host handler end to end, through raw hypercalls from the introspector's
# kernel (kvmi_hctest.ko, whose pages are the last of the introspector's
# mapping window), not the /dev/kvmmem driver.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"

hc() { kvmi-vm exec introspector "kvmi-hc $*"; }
# expect NAME WANT_RET HC_ARGS...: one hypercall, its exact return value.
# On a mismatch, kvmi-vm's own stderr and exit status are quoted too: an
# empty answer means the request never reached kvmi-hc, and says why.
expect() {
	local name=$1 want=$2 got st=0
	shift 2
	got=$(hc "$@" 2> "$STATE/hc.err") || st=$?
	check "$name: ret=$want" test "$got" = "ret=$want" ||
		diag "got: '$got' (kvmi-vm exec exit $st) $(cat "$STATE/hc.err")"
}
stat() { kvmi-ctl stat "$1"; }
test_stat() { [ "$(stat "$1")" = "$2" ]; }
meminfo() { vmstat_refresh; awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
BASE_MAPS=$(stat live_maps) BASE_TOKENS=$(stat live_tokens)
pair_up || ktap_done
# The introspector QEMU's VMAs of its mapping window (its memfd).
WIN_INO=$(inode_of "$WIN")
win_vmas() { vmas_of "$I" "$WIN_INO"; }
diag "$ISSUED"
diag "the window's VMAs in QEMU after boot: $(win_vmas)"
check "token issued, bound to the target's RAM layout" grep -q 'ranges [1-9]' <<< "$ISSUED"

# 1. A map shows the target's pattern page and its live counter.
expect "map the pattern page" 0 32 token "$PATTERN_GPA" page:0
check "the introspector's page reads the target's pattern" hc check 0 "$PATTERN_GPA"
expect "map the counter page" 0 32 token "$COUNTER_GPA" page:1
check "the target's counter moves through the mapping" hc counter-wait 1 0 10000
hc poke 0 8 0x1234 > /dev/null
check "a guest write through the map lands in the target's RAM" \
	test "$(kvmi-pattern counter "$TARGET_RAM" $((PATTERN_GPA + 8)))" = 4660
hc poke 0 8 "$(printf '0x%x' $(( (0x4b564d49 << 32) | ((PATTERN_GPA + 8) >> 3) )))" > /dev/null
check "target pattern restored through the map" \
	kvmi-pattern check "$TARGET_RAM" "$PATTERN_GPA" "$PATTERN_GPA" "$PATTERN_SIZE"

# 2. After unmap the window's own page is back, and writes stay local.
expect "unmap the pattern page" 0 33 page:0
expect "unmap the counter page" 0 33 page:1
check "unmapped page is the window's own again (zeros, as before the map)" hc zero 0
hc poke 0 8 0x5555 > /dev/null
check "writes after unmap do not reach the target" \
	kvmi-pattern check "$TARGET_RAM" "$PATTERN_GPA" "$PATTERN_GPA" "$PATTERN_SIZE"
expect "unmap again is harmless (idempotent)" -ENOENT 33 page:0

# 3. Bad input: a specific error each, and nothing changes.
F0=$(kvmi-ctl stats --json)
expect "no token (a0 = 0)" -EFAULT 32 0 "$PATTERN_GPA" page:2
head -c 32 /dev/urandom > "$STATE/forged"; put_token "$STATE/forged"
expect "forged token" -EACCES 32 token "$PATTERN_GPA" page:2
sid=$(kvmi-ctl issue -t "$T" -r "$TARGET_RAM" -w "$WIN" -i "$I" -T 1 -o "$STATE/short" | awk '{print $2}')
put_token "$STATE/short"
check "the 1 s token expires" wait_for 60 token_expired "$sid"
expect "expired token" -EKEYEXPIRED 32 token "$PATTERN_GPA" page:2
# A TTL a __u32 cannot hold: refused, not wrapped (2^32 would be 0, the
# default TTL).
ttl_too_big() {
	local out rc=0
	out=$(kvmi-ctl issue -t "$T" -r "$TARGET_RAM" -w "$WIN" -i "$I" -T 4294967296 \
		-o "$STATE/wrap" 2>&1) || rc=$?
	echo "exit $rc: $out"
	[ "$rc" = 2 ] && [ ! -e "$STATE/wrap" ]
}
check "kvmi-ctl refuses a TTL beyond 2^32-1 s (exit 2, no token)" ttl_too_big
rid=$(kvmi-ctl issue -t "$T" -r "$TARGET_RAM" -w "$WIN" -i "$I" -o "$STATE/rev" | awk '{print $2}')
kvmi-ctl revoke "$rid"; put_token "$STATE/rev"
expect "revoked token" -EKEYREVOKED 32 token "$PATTERN_GPA" page:2
kvmi-ctl issue -t "$T" -r "$TARGET_RAM" -w "$WIN" -i 1 -o "$STATE/other" > /dev/null
put_token "$STATE/other"
expect "token bound to another introspector" -EPERM 32 token "$PATTERN_GPA" page:2
put_token "$STATE/tok"
expect "unaligned target gpa" -EINVAL 32 token $((PATTERN_GPA + 8)) page:2
expect "unaligned introspector gpa" -EINVAL 32 token "$PATTERN_GPA" $(( $(hc gpa 2) + 8 ))
expect "target gpa outside the target's RAM" -ERANGE 32 token 0x40000000 page:2
expect "introspector gpa outside its memslots" -ENXIO 32 token "$PATTERN_GPA" 0x100000000000
expect "introspector gpa in its RAM, outside the window" -ENXIO 32 token "$PATTERN_GPA" 0x100000
expect "introspector gpa in a read-only memslot (BIOS ROM)" -EROFS 32 token "$PATTERN_GPA" 0xfffff000
expect "unmap of a gpa never mapped" -ENOENT 33 page:3
check "hypercall from CPL 3 gets -KVM_EPERM" test "$(hc -u 32 0 0 0)" = "ret=-EPERM"
self_map() {	# the target maps its own RAM with its own token
	kvmi-vm exec target -i 'cat > /run/t && kvmi-hc token /run/t &&
		kvmi-hc 32 token '"$PATTERN_GPA"' page:0' < "$STATE/self"
}
kvmi-ctl issue -t "$T" -r "$TARGET_RAM" -o "$STATE/self" > /dev/null
check "target == caller: -ELOOP" test "$(self_map)" = "ret=-ELOOP"
expect "first map of page 2" 0 32 token "$PATTERN_GPA" page:2
expect "double map" -EALREADY 32 token "$PATTERN_GPA" page:2
expect "unmap page 2" 0 33 page:2
fail_counts() {
	local k want=(token_fault 1 token_unknown 1 token_expired 1 token_revoked 1
		wrong_introspector 1 unaligned 2 target_range 1 local_range 2
		readonly_slot 1 not_mapped 1 already_mapped 1 self_map 1) bad=0
	for ((k = 0; k < ${#want[@]}; k += 2)); do
		local n=${want[k]} d
		d=$(( $(stat "fail_$n") - $(jq -r ".fail_$n" <<< "$F0") ))
		echo "fail_$n +$d"
		[ "$d" -eq "${want[k + 1]}" ] || bad=1
	done
	return "$bad"
}
check "each refusal counted under its own reason" fail_counts
check "no live map left by the refusals" test "$(stat live_maps)" = "$BASE_MAPS"

put_token "$STATE/tok" 4080
expect "token straddling two guest pages works" 0 32 token "$PATTERN_GPA" page:4
check "page mapped with it holds the pattern" hc check 4 "$PATTERN_GPA"
expect "unmap page 4" 0 33 page:4
# The host reads the token page by page: kvmi_hctest's buffer's second
# crossing is between pages whose gpas are apart (it says where they are).
bufs=$(kvmi-vm exec introspector "dmesg | grep 'token buffer at gpas' | tail -n 1")
apart() {
	local g
	read -r -a g <<< "$(sed 's/.*gpas //; s/,//g' <<< "$bufs")"
	echo "$bufs"
	[ $((g[1] - g[0])) -eq 4096 ] && [ $((g[2] - g[1])) -ne 4096 ]
}
check "the test buffer's last two pages are not physically contiguous" apart
put_token "$STATE/tok" 8176
expect "token straddling two pages apart in guest-physical memory works" 0 32 token "$PATTERN_GPA" page:4
check "page mapped with it holds the pattern" hc check 4 "$PATTERN_GPA"
expect "unmap page 4" 0 33 page:4
put_token "$STATE/tok"

# 6. vm.max_map_count: the next map fails cleanly, earlier maps stay.
# Each map splits the VMM's window VMA in three (+2). /proc/PID/maps also lists
# [vsyscall], which map_count does not count.
orig=$(sysctl -n vm.max_map_count) n=$(( $(wc -l < "/proc/$I/maps") - 1 ))
sysctl -qw vm.max_map_count=$((n + 2))
res=()
for p in 6 7 8; do res+=("$(hc 32 token $((PATTERN_GPA + (p - 6) * 4096)) page:$p)"); done
sysctl -qw vm.max_map_count="$orig"
diag "map_count $n, limit $((n + 2)): pages 6 7 8: ${res[*]}"
check "map past vm.max_map_count fails with -ENOMEM" \
	test "${res[*]}" = "ret=0 ret=-ENOMEM ret=-ENOMEM"
check "the failed page is untouched" hc zero 7
check "the earlier mapping is intact" hc check 6 "$PATTERN_GPA"
expect "unmap page 6" 0 33 page:6

# 7. Review D5: after 100 map/unmap cycles over scattered window pages, the
# window is one VMA in the introspector's QEMU again, as before: each unmap
# gives the window its page back with the window's flags, and the VMAs merge.
vmas0=$(win_vmas)
cycles=$(kvmi-vm exec introspector -t 300 "n=0; for i in \$(seq 0 99); do
	p=\$((10 + (i * 7) % 54)); kvmi-hc 32 token $PATTERN_GPA page:\$p | grep -qx ret=0 &&
	kvmi-hc 33 page:\$p | grep -qx ret=0 && n=\$((n + 1)); done; echo \$n")
diag "100 scattered cycles: $cycles succeeded; the window's VMAs in QEMU: $vmas0 before, $(win_vmas) after"
check "100 scattered map/unmap cycles succeed" test "$cycles" = 100
check "the window is one VMA in QEMU, before and after" test "$vmas0 $(win_vmas)" = "1 1" ||
	diag "$(grep -A 25 " $WIN_INO .*/memfd:memory-backend-memfd (deleted)$" "/proc/$I/smaps" |
		grep -E 'memfd|^VmFlags')"

# 4. Counters back to baseline once every token is gone.
for id in $(kvmi-ctl list | awk '$3 == "live" {print $2}'); do kvmi-ctl revoke "$id"; done
check "host counters back to baseline" test \
	"$(stat live_maps) $(stat live_tokens) $(stat retained)" = "$BASE_MAPS $BASE_TOKENS 0"

# 5. Kill the target while mapped: its page is retained, then freed. A
# process of ours holds the RAM file (a memfd: no path) to count its pages.
sleep infinity 3< "$TARGET_RAM" & HOLDER=$!
RAM_INO=$(inode_of "$TARGET_RAM") RAM_BYTES=$(command stat -L -c %s "$TARGET_RAM")
kvmi-ctl issue -t "$T" -r "$TARGET_RAM" -w "$WIN" -i "$I" -o "$STATE/tok" > /dev/null; put_token "$STATE/tok"
expect "map before killing the target" 0 32 token "$PATTERN_GPA" page:5
kvmi-vm kill target
check "target gone: its mapped page counts as retained" wait_for 60 test_stat retained 1
check "the retained page is still readable" hc check 5 "$PATTERN_GPA"
check "what it keeps alive is said: the whole RAM file, 1 file of $((RAM_BYTES >> 20)) MiB (review D8)" \
	test "$(host_debug_stat retained_files) $(host_debug_stat retained_bytes)" = "1 $RAM_BYTES"
check "the dead target's token is revoked" test "$(stat live_tokens)" = "$BASE_TOKENS"
expect "unmap after the target died" 0 33 page:5
check "nothing retained after unmap" \
	test "$(stat retained) $(stat live_maps) $(host_debug_stat retained_files) $(host_debug_stat retained_bytes)" = "0 $BASE_MAPS 0 0"
kvmi-vm stop introspector >&2
# Exact accounting: nothing but our holder maps or holds the RAM file any
# more, and its last close frees exactly its resident pages (shmem, no
# swap in L1).
holders() {
	local p f
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = "$HOLDER" ] && continue
		[ "$(vmas_of "${p#/proc/}" "$RAM_INO" 2> /dev/null)" = 0 ] ||
			echo "${p#/proc/} maps it"
		for f in "$p"/fd/*; do
			[[ "$(readlink "$f" 2> /dev/null)" == /memfd:* ]] &&
				[ "$(inode_of "$f" 2> /dev/null)" = "$RAM_INO" ] &&
				echo "${p#/proc/} holds it"
		done
	done
}
HELD=$(holders)
check "no process maps or holds the target's RAM file but our holder" test -z "$HELD" || diag "$HELD"
RAM_KB=$(( $(fincore -nbo RES "/proc/$HOLDER/fd/3") / 1024 ))
SHMEM0=$(meminfo Shmem)
kill "$HOLDER"; wait "$HOLDER" 2> /dev/null
SHMEM1=$(meminfo Shmem)
diag "target RAM file: ${RAM_KB} kB resident; L1 Shmem ${SHMEM0} -> ${SHMEM1} kB"
check "the RAM file's last close frees exactly its resident pages" test $((SHMEM0 - SHMEM1)) -eq "$RAM_KB"
slab_checks
ktap_done
