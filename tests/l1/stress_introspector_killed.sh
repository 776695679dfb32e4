#!/bin/bash
# The introspector's QEMU is SIGKILLed mid-stress, kvmi.repeat times (3;
# make stress: 20): each time the host ends every map the dead VM held
# (none retained, none live), the target's RAM is untouched byte for byte,
# and a new introspector, with a new token, stresses again.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
N=${KVMI_REPEAT:-3}
live_maps_back() { [ "$(host_stat live_maps)" = "$(h0 live_maps)" ]; }
stress_pair_up
for i in $(seq "$N"); do
	progress "introspector killed mid-stress: $i of $N"
	stress_begin 900 -s $((100 + i)) -d 600 random
	stress_maps_live
	check "L1 SIGKILLs the introspector's QEMU mid-stress ($i of $N)" kvmi-vm kill introspector
	wait "$STRESS_PID"
	check "the host ends every map the dead introspector held ($i)" wait_for 60 live_maps_back
	check "nothing retained ($i)" test "$(host_stat retained)" = "$(h0 retained)"
	stress_ram_checks
	kill "$HOLDER"
	KVMI_SMP=${STRESS_SMP:-2} check "a new introspector boots ($i)" start_vms introspector || break
	check_here "a new token for it, handed over ($i)" issue_token
done
slab_checks
kvmi-vm stop introspector >&2
kvmi-vm stop target >&2
ktap_done
