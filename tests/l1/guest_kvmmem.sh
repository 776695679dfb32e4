#!/bin/bash
# /dev/kvmmem end to end: the kselftest guest tests (tests/l2), one at a
# time, with the host handler's counters checked after each; the kvmmem
# tool; maps the host ended; module unload and rebinding the window. Guest-side invariants (FOLL_PIN balance, driver
# objects) are checked by each guest test's teardown.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"

pair_up || ktap_done
BASE="$(kvmi-ctl stat live_maps) $(kvmi-ctl stat live_tokens)"
ENV="KVMI_PATTERN_GPA=$PATTERN_GPA KVMI_COUNTER_GPA=$COUNTER_GPA"

for t in $(kvmi-vm exec introspector kvmmem_test -l); do
	progress "guest test $t"
	t0=$(date +%s.%N)
	out=$(kvmi-vm exec introspector -t 900 "$ENV kvmmem_test $t")
	st=$?
	ktap_nest <<< "$out"
	host="$(kvmi-ctl stat live_maps) $(kvmi-ctl stat live_tokens)"
	diag "$t: exit $st in $(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)")s; host live maps/tokens $host (baseline $BASE)"
	if [ $st -eq 0 ] && [ "$host" = "$BASE" ]; then pass "$t"; else fail "$t"; fi
done

tool() {
	kvmi-vm exec introspector \
		"kvmi-mem map $PATTERN_GPA dump $PATTERN_GPA 32 list unmap $PATTERN_GPA"
}
out=$(tool); diag "$out"
check "kvmi-mem maps, dumps the target's bytes, lists and unmaps" \
	grep -q '^08000000: 0000 0001 494d 564b 0100 0001 494d 564b  ....IMVK....IMVK$' <<< "$out"
guest_slab_checks introspector

# Review D18: a map the host has ended already (here by a raw unmap-all,
# KVM_HC_MEM_UNMAP_ALL, from the guest's kernel) unmaps cleanly through
# /dev/kvmmem: the host's -ENOENT is not a refusal, and no page is leaked.
ended_elsewhere() {
	kvmi-vm exec introspector -t 120 "rm -f /run/f /run/o; mkfifo /run/f
		kvmi-mem -i < /run/f > /run/o 2>&1 & exec 3> /run/f
		echo 'map $PATTERN_GPA' >&3
		n=0; until grep -q mapped /run/o || [ \$n -ge 600 ]; do sleep 0.1; n=\$((n + 1)); done
		kvmi-hc 34; echo 'unmap $PATTERN_GPA' >&3; exec 3>&-; wait; cat /run/o
		grep leaked_pages /sys/kernel/debug/kvmmem/stats"
}
ended_ok() {
	grep -q '^ret=1$' <<< "$ended" && grep -q '^unmapped target gpa' <<< "$ended" &&
		grep -q '^leaked_pages 0$' <<< "$ended"
}
ended=$(ended_elsewhere); diag "$ended"
check "a map the host ended already unmaps cleanly, nothing leaked" ended_ok

# Review M1: the window's device removed (sysfs "remove", as a hot unplug)
# while a process maps a target page through it. The mapping loses its PTEs
# (a read is SIGBUS, not the target's bytes nor whatever the BAR's address
# holds next), the host ends the map, the open file says ENODEV, and a
# rescan binds the window again, ready to map. (The rescan may move the BAR:
# kvmi_hctest.ko, which finds its pages when it loads, is reloaded with the
# token.)
pci_remove() {
	kvmi-vm exec introspector -t 180 "rm -f /run/f /run/o; mkfifo /run/f
		kvmi-mem -i < /run/f > /run/o 2>&1 & p=\$!; exec 3> /run/f
		echo 'map $PATTERN_GPA' >&3
		n=0; until grep -q mapped /run/o || [ \$n -ge 600 ]; do sleep 0.1; n=\$((n + 1)); done
		dev=\$(echo /sys/bus/pci/drivers/kvmmem/0000:*)
		echo 1 > /sys/bus/pci/devices/\${dev##*/}/remove && echo removed
		echo 'map $COUNTER_GPA' >&3; echo 'unmap $PATTERN_GPA' >&3
		echo 'dump $PATTERN_GPA 32' >&3; exec 3>&-; wait \$p; echo exit=\$?; cat /run/o
		grep -E '^(areas|map_objects|leaked_pages) ' /sys/kernel/debug/kvmmem/stats"
}
pci_remove_ok() {
	grep -q '^removed$' <<< "$removed" && grep -q '^exit=135$' <<< "$removed" &&
		grep -q "map $(printf '0x%x' "$COUNTER_GPA"): -ENODEV" <<< "$removed" &&
		grep -q "unmap $(printf '0x%x' "$PATTERN_GPA"): -ENODEV" <<< "$removed" &&
		! grep -q '^08000000:' <<< "$removed" &&
		test "$(grep -c '^[a-z_]* 0$' <<< "$removed")" = 3 &&
		test "$(kvmi-ctl stat live_maps)" = "${BASE%% *}"
}
removed=$(pci_remove); diag "$removed"
check "device removed under a live map: SIGBUS, ENODEV, the host's map ended" pci_remove_ok
rescan() {
	kvmi-vm exec introspector -t 120 "echo 1 > /sys/bus/pci/rescan
		n=0; until ls -d /sys/bus/pci/drivers/kvmmem/0000:* > /dev/null 2>&1 || [ \$n -ge 300 ]; do
			sleep 0.1; n=\$((n + 1)); done
		dmesg | grep 'kvmmem.*mapping window' | tail -n 1
		rmmod kvmi_hctest && insmod /lib/kvmi/extra/kvmi_hctest.ko && kvmi-hc token /run/t
		kvmi-mem map $PATTERN_GPA dump $PATTERN_GPA 32 unmap $PATTERN_GPA"
}
rescanned=$(rescan); diag "$rescanned"
check "a rescan binds the window again and it maps" \
	grep -q '^08000000: 0000 0001 494d 564b 0100 0001 494d 564b  ....IMVK....IMVK$' <<< "$rescanned"

unload_busy() {
	kvmi-vm exec introspector \
		'exec 3<>/dev/kvmmem; rmmod kvmmem && exit 1; grep -q "^kvmmem " /proc/modules'
}
check "unload is refused while the device is open" unload_busy
unload() {
	kvmi-vm exec introspector 'grep -c "^kvmmem_" /proc/slabinfo; rmmod kvmmem &&
		! grep "^kvmmem_" /proc/slabinfo && insmod /lib/kvmi/extra/kvmmem.ko'
}
check "unload with the device closed leaves no slab cache behind" unload
# Review D2's guest half: binding the window ends every map the VM holds,
# as a kernel that has just booted must (here a raw map left by the test
# device, then the driver reloaded).
rebind() {
	kvmi-vm exec introspector "kvmi-hc 32 token $PATTERN_GPA page:0 &&
		rmmod kvmmem && insmod /lib/kvmi/extra/kvmmem.ko &&
		dmesg | grep 'kvmmem.*mapping window' | tail -n 1 && kvmi-hc zero 0"
}
rebind_ok() {
	grep -q ' 1 earlier maps ended$' <<< "$rebound" &&
		test "$(kvmi-ctl stat live_maps)" = "${BASE%% *}"
}
rebound=$(rebind); diag "$rebound"
check "the driver's bind ended the map left behind" rebind_ok
check "host counters at baseline" test "$(kvmi-ctl stat live_maps) $(kvmi-ctl stat live_tokens)" = "$BASE"
ktap_done
