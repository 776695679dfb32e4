#!/bin/bash
# kvmi-stress ("random", two rounds) with every kvmi-trace tracer attached:
# in L1, pfn from before the VMs boot to after they power off (KVM's pfn
# references: zero unpaired), hc and zap across the stress (the host
# handler's map and unmap results, the MMU-notifier zaps of the
# introspector's VM); in the introspector, pin across the stress (GUP pins:
# zero left). Each agrees with the kernel's own counters: the host's map and
# unmap totals, /proc/vmstat's nr_foll_pin_*.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"

kt_start pfn pfn --json || ktap_done
PFN_PID=$KT_PID
stress_pair_up
kt_start hc hc --json || ktap_done
HC_PID=$KT_PID
kt_start zap zap --json || ktap_done
ZAP_PID=$KT_PID

# The stress, with kvmi-trace pin around it in the introspector (one
# request: the agent serves one at a time).
STRESS_BEFORE="
	v() { echo 1 > /proc/sys/vm/stat_refresh
	      awk '/^nr_foll_pin_(acquired|released)/ { printf \"%s \", \$2 }' /proc/vmstat; }
	: > /run/pin.err
	kvmi-trace pin --json > /run/pin.json 2> /run/pin.err < /dev/null & t=\$!
	n=0; until grep -q ^Tracing /run/pin.err || [ \$n -ge 1200 ]; do sleep 0.1; n=\$((n + 1)); done
	v > /run/pin.v" STRESS_AFTER="v >> /run/pin.v; kill -INT \$t; wait \$t" \
	stress_begin 900 -s 9 -R 2 random
stress_end
KT_PID=$HC_PID kt_stop
KT_PID=$ZAP_PID kt_stop
MAPS=$(($(host_stat total_maps) - $(h0 total_maps)))
UNMAPS=$(($(host_stat total_unmaps) - $(h0 total_unmaps)))
diag "the host made $MAPS maps and $UNMAPS unmaps"
hc_ok() { jq -r --arg p "$1" '[.results[] | select(.phase == $p and .ret == 0) | .count] | add // 0' "$W/hc.out"; }
diag "kvmi-trace hc: $(jq -c '.results' "$W/hc.out")"
check "kvmi-trace hc: as many maps returned 0 as the host made" \
	test "$(hc_ok map)" = "$MAPS" -a "$MAPS" -gt 0
check "kvmi-trace hc: as many unmaps returned 0 as the host made" \
	test "$(hc_ok unmap)" = "$UNMAPS" -a "$UNMAPS" -gt 0
diag "kvmi-trace zap: $(jq -c '.vms' "$W/zap.out")"
jqcheck "kvmi-trace zap: the introspector's VM had a zapped range for each map and unmap" \
	"$W/zap.out" "[.vms[] | select(.pid == $I) | .ranges] | add // 0 | . >= $((MAPS + UNMAPS))"
PIN=$(kvmi-vm exec introspector 'cat /run/pin.json; echo; cat /run/pin.v')
diag "kvmi-trace pin: $(grep '^{' <<< "$PIN" | jq -c 'del(.unbalanced, .orphans)')"
# shellcheck disable=SC2046 # four numbers, split on purpose
set -- $(tail -n 1 <<< "$PIN")
diag "nr_foll_pin_acquired +$(($3 - $1)), released +$(($4 - $2))"
check "kvmi-trace pin in the introspector: zero unbalanced, and its counts are vmstat's" \
	test "$(grep '^{' <<< "$PIN" | jq -c '[.unbalanced_pfns, .taken, .dropped]')" = \
	"[0,$(($3 - $1)),$(($4 - $2))]"
kill "$HOLDER" 2> /dev/null
kvmi-vm stop introspector >&2
kvmi-vm stop target >&2
KT_PID=$PFN_PID kt_stop
J=$W/pfn.out
diag "kvmi-trace pfn: $(jq -c 'del(.unbalanced, .orphans)' "$J")"
diag "$(jq -c '.unbalanced[:5][]? | del(.stack)' "$J")"
jqcheck "kvmi-trace pfn, boot to poweroff: every KVM pfn reference taken was released" "$J" \
	'.taken > 0 and .dropped == .taken and .map_full == 0 and .unbalanced_pfns == 0 and (.orphans | length) == 0'
ktap_done
