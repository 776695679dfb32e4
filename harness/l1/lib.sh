# shellcheck shell=bash
# The fixtures of L1 jobs: KTAP (harness/lib/ktap.sh; stdout is the job's
# KTAP, progress goes to the L1 console, which the runner shows live), the
# L2 VMs and their tokens.
# shellcheck source=harness/lib/ktap.sh
. "$KVMI_TOP/harness/lib/ktap.sh"

# Boot L2 VMs one at a time: two L2 kernels booting at once under L1's
# TCG-emulated SVM have made an L2 shut down and once reset L1 (README).
# Once up, they run side by side.
start_vms() {
	local vm
	for vm in "$@"; do
		kvmi-vm start "$vm" -t 180 || return 1
	done
}

# For the jobs that source this file:
# shellcheck disable=SC2034
# wait_for SECS CMD...: until CMD succeeds; fails after SECS (times a slower
# kernel's KVMI_TIMEOUT_SCALE). A bound on waiting for an event, never a
# delay to sleep through.
wait_for() {
	local end=$((SECONDS + $1 * ${KVMI_TIMEOUT_SCALE:-1}))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# json_is FILTER: stdin holds exactly one JSON document and FILTER yields
# true on it. jq -e alone passes on empty input: a command that printed
# nothing (a stress whose agent was lost) would pass every check on it.
json_is() { jq -e -s "length == 1 and (.[0] | $1)" > /dev/null; }

# vmstat_refresh: fold the per-CPU vmstat deltas, so that /proc/meminfo and
# /proc/vmstat are exact.
vmstat_refresh() { echo 1 > /proc/sys/vm/stat_refresh; }

# put_token FILE [OFFSET]: hand a token to the introspector: /run/t for
# kvmi-mem and the guest tests, and the raw-hypercall test device's token
# buffer at OFFSET (kvmi-hc token).
put_token() {
	kvmi-vm exec introspector -i "cat > /run/t && kvmi-hc token /run/t ${2:-0}" < "$1"
}

# token_expired ID: the host says token ID has expired.
token_expired() { kvmi-ctl list | grep -q "^id $1 expired "; }

# memfd_of PID [SIZE]: the memfd of the QEMU whose pid is PID, as a path to
# open: the target's RAM (vmconfigs/target.json), or the introspector's
# mapping window (vmconfigs/introspector.json). Each has one; a peer
# (vmconfigs/peer.json) has both, told apart by SIZE ("256M"). QEMU names
# every memfd "memory-backend-memfd": tell them apart by inode (inode_of).
memfd_of() {
	local f bytes=
	[ -n "${2:-}" ] && bytes=$(numfmt --from=iec "$2")
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f")" = "/memfd:memory-backend-memfd (deleted)" ] &&
			{ [ -z "$bytes" ] || [ "$(command stat -L -c %s "$f")" = "$bytes" ]; } &&
			{ echo "$f"; return 0; }
	done
	echo "no memfd${2:+ of $2} in QEMU $1" >&2
	return 1
}
inode_of() { command stat -L -c %i "$1"; }
# vmas_of PID INODE: how many VMAs of process PID map the file INODE.
vmas_of() { awk -v i="$2" '$5 == i' "/proc/$1/maps" | wc -l; }
# target_ram: the running target's RAM file (a memfd: no path another VM
# could reuse, review D8), as a path to open while its QEMU runs.
target_ram() { memfd_of "$(kvmi-vm pid target)"; }

# pair_up: the fixture most jobs start from. Boots the target and the
# introspector, issues a token for the target bound to the introspector and
# its mapping window (kvmi-ctl's answer in ISSUED, the token in $STATE/tok)
# and hands it over. Sets T and I to the two QEMU pids, TARGET_RAM to the
# target's RAM file and WIN to the window, both as /proc/PID/fd paths.
# Two KTAP results: the boots, and the token (which says why if a VM is gone).
pair_up() {
	check "target and introspector boot" start_vms target introspector || return 1
	check_here "a token for the target, bound to the introspector's window, handed over" \
		issue_token
}
# A token's lifetime for a job that maps with it for long: the job's own
# bound (suite.json's timeout times the kernel's scale, which L0 always
# passes as kvmi.job_timeout), so that no token dies before the job may. A
# fixed 600 s times 4 left a stress on a second target 86 s of its token's
# life on the debug kernels.
TOKEN_TTL=$KVMI_JOB_TIMEOUT
# issue_token: pair_up's second half, in the job's shell (it sets T, I,
# TARGET_RAM, WIN and ISSUED); says why when a VM is gone by then.
issue_token() {
	local vm
	for vm in target introspector; do
		kvmi-vm pid "$vm" > /dev/null || { vm_gone "$vm"; return 1; }
	done
	T=$(kvmi-vm pid target) I=$(kvmi-vm pid introspector)
	TARGET_RAM=$(memfd_of "$T") && WIN=$(memfd_of "$I") || return 1
	# shellcheck disable=SC2034 # for the job
	ISSUED=$(kvmi-ctl issue -t "$T" -r "$TARGET_RAM" -w "$WIN" -i "$I" \
		-T "$TOKEN_TTL" -o "$STATE/tok") &&
		put_token "$STATE/tok"
}
# vm_gone NAME: why an L2 VM that should run does not (kvmi-vm's record
# of its QMP SHUTDOWN reason), and the end of its console.
vm_gone() {
	echo "the $1's QEMU is not running; it stopped: $(cat "$STATE/$1.stopped" 2> /dev/null ||
		echo "no stop recorded")"
	tail -n 30 "$KVMI_RUN/$1-console.log" 2> /dev/null
}

# bench_in_introspector NAME TIMEOUT KEY CMD: a make bench job. After
# pair_up, runs CMD in the introspector; its JSON output must hold KEY and
# goes to $KVMI_RUN/NAME.json; no live map may be left.
bench_in_introspector() {
	local name=$1 timeout=$2 key=$3 cmd=$4 out
	pair_up || ktap_done
	out=$(kvmi-vm exec introspector -t "$timeout" "$cmd")
	check "benchmark ran" json_is ".$key" <<< "$out"
	echo "$out" > "$KVMI_RUN/$name.json"
	diag "$out"
	check "no live map left" test "$(kvmi-ctl stat live_maps)" = 0
	ktap_done
}

# host_stat NAME: one of the host handler's counters now; h0 NAME: in the
# baseline the job took (H0, kvmi-ctl stats --json).
host_stat() { kvmi-ctl stat "$1"; }
h0() { jq -r ".$1" <<< "$H0"; }

STATE=${KVMI_STATE:-/run/kvmi}
# vm_var CONFIG NAME: a variable of vmconfigs/CONFIG.json.
vm_var() { jq -er ".vars.$2" "$KVMI_TOP/vmconfigs/$1.json"; }
target_var() { vm_var target "$1"; }
# shellcheck disable=SC2034
PATTERN_GPA=$(target_var PATTERN_GPA)
# shellcheck disable=SC2034
PATTERN_SIZE=$(target_var PATTERN_SIZE)
# shellcheck disable=SC2034
COUNTER_GPA=$(target_var COUNTER_GPA)

# kmod/test/kvmi_pfnmap.ko's memory in the target (pfnmap_memory,
# pfnmap_zero_refcount): where device memory starts for the target's
# 256 MiB pc machine, and the module's default size (512 pages).
# shellcheck disable=SC2034
DIMM_GPA=0x100000000 DIMM_SIZE=0x200000
# pfnmap_plug: /dev/kvmi_pfnmap into the running target, as a pc-dimm at
# DIMM_GPA (QMP object-add memory-backend-file, device_add pc-dimm).
pfnmap_plug() {
	local devs
	kvmi-vm qmp target object-add "{\"qom-type\": \"memory-backend-file\",
		\"id\": \"pfnmem\", \"mem-path\": \"/dev/kvmi_pfnmap\",
		\"size\": $((DIMM_SIZE)), \"share\": true}" &&
	kvmi-vm qmp target device_add "{\"driver\": \"pc-dimm\", \"id\": \"pfndimm\",
		\"memdev\": \"pfnmem\", \"addr\": $((DIMM_GPA))}" &&
	devs=$(kvmi-vm qmp target query-memory-devices) && echo "$devs" &&
	jq -e -s "length == 1 and ([.[0][] | select(.data.id == \"pfndimm\") |
		.data.addr] == [$((DIMM_GPA))])" <<< "$devs"
}

# Our objects in their own slab caches (kmod/host: kvmi_map, kvmi_window,
# kvmi_target, kvmi_token), which L1's command line gives slub_debug's red
# zones and poisoning (vmconfigs/l1.json). slab_checks: each cache has them
# and is validated (a broken red zone or poison is a kernel report, the
# watchdog's), then holds exactly as many objects as the host handler
# counts (debugfs live_maps, windows, targets, tokens). A debug cache
# allocates from no per-CPU slab, so `objects` is exact once the cache is
# shrunk: KASAN (make test KERNEL=debug) keeps freed objects in its
# quarantine, and a shrink gives them back. An expiry, a reaper or a
# deferred fput() may free one between two reads, so a census reads the
# host's count before and after the slab's and is waited for.
KVMI_CACHES="kvmi_map:live_maps kvmi_window:windows kvmi_target:targets kvmi_token:tokens"
slab_objects() {
	local n
	echo 1 > "/sys/kernel/slab/$1/shrink"
	read -r n _ < "/sys/kernel/slab/$1/objects" && echo "$n"
}
# host_debug_stat NAME: a line of the host handler's debugfs stats.
host_debug_stat() { awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/kvmi/stats; }
slab_census() {
	local c
	for c in $KVMI_CACHES; do
		printf '%s %s %s\n' "${c%%:*}" "$(slab_objects "${c%%:*}")" "$(host_debug_stat "${c#*:}")"
	done
}
slab_census_ok() {
	local c before objects after
	for c in $KVMI_CACHES; do
		before=$(host_debug_stat "${c#*:}")
		objects=$(slab_objects "${c%%:*}")
		after=$(host_debug_stat "${c#*:}")
		[ "$before" = "$objects" ] && [ "$objects" = "$after" ] || return 1
	done
}
# slab_census_wait BAD: the census, waited for, if no cache is BAD.
slab_census_wait() { [ -z "$1" ] && wait_for 30 slab_census_ok; }
# The guest driver's caches (kmod/guest: kvmmem_map, kvmmem_area), which
# the introspector's and the peers' command lines give slub_debug's red
# zones and poisoning (vmconfigs/introspector.json, peer.json), each with
# the driver's count of its objects (debugfs kvmmem/stats).
KVMMEM_CACHES="kvmmem_map:map_objects kvmmem_area:areas"
# guest_counters VM: the guest driver's counters, the pin counters of VM
# (an introspector), and "slab CACHE OBJECTS POISON RED_ZONE" per cache,
# shrunk and validated (a broken red zone or poison is a report on VM's
# console, the watchdog's): the objects are exact, as in L1.
guest_counters() {
	local c names=
	for c in $KVMMEM_CACHES; do names="$names ${c%%:*}"; done
	kvmi-vm exec "$1" "cat /sys/kernel/debug/kvmmem/stats; grep ^nr_foll_pin /proc/vmstat
		cd /sys/kernel/slab && for c in$names; do
			echo 1 > \$c/shrink && echo 1 > \$c/validate &&
			echo slab \$c \$(cut -d' ' -f1 \$c/objects) \$(cat \$c/poison \$c/red_zone)
		done"
}
# guest_slab_ok COUNTERS: in guest_counters' output, every cache poisoned
# and red-zoned, each holding exactly the objects the driver counts.
guest_slab_ok() {
	awk -v caches="$KVMMEM_CACHES" 'BEGIN { n = split(caches, c, " ")
			for (i = 1; i <= n; i++) { split(c[i], kv, ":"); stat[kv[2]] = kv[1] } }
		$1 in stat { want[stat[$1]] = $2 }
		$1 == "slab" { seen++; got[$2] = $3; if ($4 != 1 || $5 != 1) bad = 1 }
		END { for (k in got) if (!(k in want) || got[k] != want[k]) bad = 1
		      exit bad || seen != n }' <<< "$1"
}
# guest_slab_checks VM [COUNTERS]: the census of VM's guest driver, from
# COUNTERS (guest_counters' output, already read) or read now.
guest_slab_checks() {
	local g=${2:-$(guest_counters "$1")}
	diag "$1's slab census (cache, objects, poison, red zone; the driver's map_objects, areas): $(grep '^slab ' <<< "$g" | cut -d' ' -f2- | tr '\n' ';') $(grep -E '^(map_objects|areas) ' <<< "$g" | tr '\n' ' ')"
	check "$1: the guest driver's caches are red-zoned and poisoned, and hold exactly its objects" \
		guest_slab_ok "$g"
}
# guest_kmemleak VM: on an L2 kernel with kmemleak (the L2 debug kernel),
# now, what kvmi-vm stop and l1-stage2.sh do at the end: a scan of VM; any
# unreferenced object is printed, with its backtrace, on VM's console,
# where the watchdog makes it the verdict, and fails the check.
guest_kmemleak() {
	check "$1: kmemleak finds no unreferenced object" kvmi-vm kmemleak "$1"
}
slab_checks() {
	local c bad=
	for c in $KVMI_CACHES; do
		c=${c%%:*}
		if [ "$(cat "/sys/kernel/slab/$c/poison" "/sys/kernel/slab/$c/red_zone")" = "1
1" ]; then
			echo 1 > "/sys/kernel/slab/$c/validate"
		else
			bad="$bad $c"
		fi
	done
	[ -z "$bad" ] || diag "no slub_debug on:$bad (merged with other caches: no census)"
	check "slub_debug poisons and red-zones our caches" test -z "$bad"
	check "slab objects equal the host handler's counts" slab_census_wait "$bad"
	diag "slab census (cache, objects, host count): $(slab_census | tr '\n' ';')"
}
