#!/bin/bash
# kvmi-trace pfn: KVM's pfn references (hva_to_pfn) pair with releases
# (kvm_release_*) across a whole L2 boot and poweroff: zero unpaired. Then
# kvmi_pfnleak.ko takes a reference through gfn_to_pfn() and never releases
# it, and releases a page KVM never obtained: both are reported, exactly.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"

kt_start boot pfn --json
progress "booting introspector"
check "introspector boots" start_vms introspector
kvmi-vm exec introspector kvmi-hc -n 10 1 >/dev/null
kvmi-vm stop introspector -t 60 >&2
kt_stop
J=$W/boot.out
diag "$(jq -c 'del(.unbalanced, .orphans)' $J)"
diag "$(jq -c '.unbalanced[:5][] | del(.stack)' $J)"
diag "$(jq -c '.orphans[:5][] | del(.stack)' $J)"
jqcheck "L2 boot+poweroff: references seen and all released" $J \
	'.taken > 100 and .dropped == .taken and .map_full == 0'
jqcheck "L2 boot+poweroff: zero unpaired pfns" $J \
	'.unbalanced_pfns == 0 and (.orphans | length) == 0'

check "kvmi_pfnleak.ko loads" insmod "$KVMI_KBUILD/test/kvmi_pfnleak.ko"
kt_start leak pfn --json
bal=$(kvmi-pfnleak balanced)
leak=$(kvmi-pfnleak leak)
orph=$(kvmi-pfnleak orphan)
kt_stop
diag "balanced $bal, leak $leak, orphan $orph"
J=$W/leak.out
diag "$(jq -c 'del(.unbalanced, .orphans)' $J)"
diag "$(jq -r '.unbalanced[]? | "unbalanced \(.pfn) \(.comm)", .stack[]' $J)"
diag "$(jq -r '.orphans[]? | "orphan \(.pfn) \(.comm)", .stack[]' $J)"
diag "leaked $leak, orphan $orph"
check "exactly one obtained-never-released pfn: the leaked one" \
	test "$(jq -c '[.unbalanced[].pfn]' $J)" = "[$((${leak#pfn=}))]"
check "its stack: hva_to_pfn called from kvmi_pfnleak_ioctl" \
	sh -c "jq -r '.unbalanced[0].stack[]' $J | grep -q 'kvmi_pfnleak_ioctl.*\[kvmi_pfnleak\]'"
check "exactly one released-never-obtained pfn: the orphan" \
	test "$(jq -c '[.orphans[].pfn]' $J)" = "[$((${orph#pfn=}))]"
ktap_done
