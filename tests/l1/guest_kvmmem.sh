#!/bin/bash
# /dev/kvmmem end to end: the kselftest guest tests (tests/guest), one at a
# time, with the host handler's counters checked after each; the kvmmem
# tool; module unload. Guest-side invariants (FOLL_PIN balance, driver
# objects) are checked by each guest test's teardown.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"

pair_up
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
check "host counters at baseline" test "$(kvmi-ctl stat live_maps) $(kvmi-ctl stat live_tokens)" = "$BASE"
ktap_done
