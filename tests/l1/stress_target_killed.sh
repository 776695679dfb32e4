#!/bin/bash
# The target's QEMU is SIGKILLed mid-stress, kvmi.repeat times (1; make
# stress: 20): each time the host retains the pages the introspector maps
# (their bytes stay the target's, as the stress's oracles check), refuses
# new maps (the token dies with its target), and once the stress has
# unmapped everything nothing is retained; then a new target, with a new
# token, is stressed again.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
N=${KVMI_REPEAT:-1}
stress_pair_up
for i in $(seq "$N"); do
	progress "target killed mid-stress: $i of $N"
	stress_begin 600 -s $((3 + i)) -x -a EKEYREVOKED random
	stress_maps_live
	REFUSED0=$(host_stat fail_token_revoked)
	check "L1 SIGKILLs the target's QEMU mid-stress ($i of $N)" kvmi-vm kill target
	check "the host retains the dead target's mapped pages ($i)" \
		wait_for 60 host_stat_at_least retained $(($(h0 retained) + 1))
	check "the host refuses the stress's next maps: the token died with its target ($i)" \
		wait_for 120 host_stat_at_least fail_token_revoked $((REFUSED0 + 1))
	TOKENS_ENDED=1 STRESS_REFUSED=-EKEYREVOKED stress_end
	kill "$HOLDER"
	[ "$i" -lt "$N" ] || break
	check "a new target boots ($i)" start_vms target || break
	check_here "a new token for it, handed over ($i)" issue_token || break
done
kvmi-vm stop introspector >&2
ktap_done
