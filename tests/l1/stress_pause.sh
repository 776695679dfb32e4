#!/bin/bash
# Both VMs paused and resumed (QMP stop, cont) mid-stress, the target
# first, then the introspector: the stress carries on, every oracle holds.
# Revoking the token ends the stress.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
stress_pair_up
stress_begin 600 -s 5 -x -a EKEYREVOKED random
stress_maps_live
paused() { kvmi-vm qmp "$1" query-status | json_is '.status == "paused"'; }
for vm in target introspector; do
	check "pause the $vm mid-stress" kvmi-vm pause "$vm"
	check "the $vm is paused (QMP query-status)" paused "$vm"
	check "resume the $vm" kvmi-vm resume "$vm"
done
MAPS0=$(host_stat total_maps)
check "the stress maps again after both resumed" \
	wait_for 120 host_stat_at_least total_maps $((MAPS0 + 10))
# The stress runs until L1 ends its token (-x).
check "L1 revokes the token to end the stress" kvmi-ctl revoke "$TOKEN_ID"
TOKENS_ENDED=1 stress_end
stress_done
