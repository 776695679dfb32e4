#!/bin/bash
# Memslots change under load: 128 MiB plugged into the target, then into
# the introspector (QMP object-add memory-backend-memfd, device_add
# pc-dimm), while the stress maps and unmaps; the stress carries on and
# every oracle holds. Revoking the token ends the stress.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
# plug VM: a new memslot in the VM, seen by QEMU as a memory device.
plug() {
	kvmi-vm qmp "$1" object-add '{"qom-type": "memory-backend-memfd", "id": "hpmem",
		"size": 134217728, "share": true}' &&
	kvmi-vm qmp "$1" device_add '{"driver": "pc-dimm", "id": "hpdimm", "memdev": "hpmem"}' &&
	kvmi-vm qmp "$1" query-memory-devices |
		json_is '[.[] | select(.data.id == "hpdimm")] | length == 1'
}
# Room for a DIMM in the introspector too (its config has -m ${MEM}).
KVMI_MEM=256M,slots=2,maxmem=1G stress_pair_up
stress_begin 600 -s 6 -x -a EKEYREVOKED random
stress_maps_live
for vm in target introspector; do
	check "128 MiB plugged into the $vm mid-stress" plug "$vm"
	MAPS0=$(host_stat total_maps)
	check "the stress maps on after the $vm's new memslot" \
		wait_for 120 host_stat_at_least total_maps $((MAPS0 + 10))
done
check "L1 revokes the token to end the stress" kvmi-ctl revoke "$TOKEN_ID"
TOKENS_ENDED=1 stress_end
stress_done
