#!/bin/bash
# A reproducer of what KVM 6.1 does with VM_PFNMAP memory whose pages are
# PG_reserved with a zero refcount (the tail pages of a plain high-order
# allocation a driver hands out with remap_pfn_range(); kvmi_pfnmap.ko
# zero_tails=1): the target's first read of such a page makes
# kvm_pfn_to_refcounted_page() -> kvm_is_zone_device_page() WARN. The
# runner must report that WARNING (suite.json: expect watchdog, match
# kvm_pfn_to_refcounted_page); a run where KVM reads them silently fails.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"

check "kvmi_pfnmap.ko loads with zero-refcount tail pages" \
	insmod "$KVMI_KBUILD/test/kvmi_pfnmap.ko" zero_tails=1 gpa=$DIMM_GPA
check "target boots" start_vms target || ktap_done
check "the device plugs into the running target as a pc-dimm at $DIMM_GPA" pfnmap_plug
check "the target reads the device's pattern through KVM (KVM must WARN first)" \
	kvmi-vm exec target kvmi-pattern check /dev/mem $DIMM_GPA $DIMM_GPA $DIMM_SIZE
ktap_done
