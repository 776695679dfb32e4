#!/bin/bash
# Target memory that has no page refcount: kvmi_pfnmap.ko's PG_reserved
# pages, given out by remap_pfn_range() (VM_PFNMAP | VM_IO), plugged into
# the running target as a pc-dimm (QMP object-add memory-backend-file on
# /dev/kvmi_pfnmap, device_add pc-dimm). The target reads the device's
# pattern through KVM byte for byte; kvmi-trace pfn shows each of its pages
# taken without a reference (unreferenced, so never unpaired) under the
# pfnmap kind; the host handler refuses a token for that memory with
# EOPNOTSUPP, and the target's RAM token does not reach its gpas (ERANGE).
# Once the target is gone nothing holds the device: the module unloads.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"
NPAGES=$((DIMM_SIZE / 4096))

check "kvmi_pfnmap.ko loads, its pattern laid out for gpa $DIMM_GPA" \
	insmod "$KVMI_KBUILD/test/kvmi_pfnmap.ko" gpa=$DIMM_GPA
pair_up || ktap_done
kt_start pfn pfn --json -p "$T" || ktap_done

check "the device plugs into the running target as a pc-dimm at $DIMM_GPA" pfnmap_plug
# The target QEMU's mapping of the device, and its VmFlags: pf is
# VM_PFNMAP, io VM_IO.
pfnmap_vma() {
	local v
	v=$(grep -m1 kvmi_pfnmap "/proc/$T/maps") || { echo "not in /proc/$T/maps"; return 1; }
	echo "$v"
	awk -v s="${v%% *}" '$1 == s { f = 1; next } f && /^VmFlags:/ { print; exit }' \
		"/proc/$T/smaps" | tee /dev/fd/2 | grep -qw pf
}
check "the target's QEMU maps it VM_PFNMAP" pfnmap_vma
check "the target reads the device's pattern through KVM, byte for byte" \
	kvmi-vm exec target kvmi-pattern check /dev/mem $DIMM_GPA $DIMM_GPA $DIMM_SIZE
kt_stop
J=$W/pfn.out
diag "$(jq -c 'del(.unbalanced, .orphans)' $J)"
jqcheck "kvmi-trace pfn: every device page taken without a reference, as pfnmap" $J \
	".unreferenced_pfns >= $NPAGES and .by_kind.pfnmap.unreferenced >= $NPAGES and
	(.by_kind.pfnmap.referenced // 0) == 0"
jqcheck "kvmi-trace pfn: the RAM file's pages with references, and nothing orphaned" $J \
	'.by_kind.file.referenced > 0 and (.orphans | length) == 0 and .map_full == 0'

refused() {
	local out
	out=$(kvmi-ctl issue -t "$T" -r /dev/kvmi_pfnmap -o "$STATE/pfntok" 2>&1)
	echo "$out"
	grep -q EOPNOTSUPP <<< "$out"
}
check "a token for the device's memory is refused: EOPNOTSUPP" refused
check "no token was left behind by the refusal" test "$(kvmi-ctl stat live_tokens)" = 1
check "the RAM token does not reach the device's gpas: ret=-ERANGE" test \
	"$(kvmi-vm exec introspector kvmi-hc 32 token $DIMM_GPA page:2)" = ret=-ERANGE
check "no live map" test "$(kvmi-ctl stat live_maps)" = 0

kvmi-vm kill target >&2
check "once the target is gone, nothing holds the device: the module unloads" \
	wait_for 60 rmmod kvmi_pfnmap
ktap_done
