#!/bin/bash
# The target is reset mid-stress (QMP system_reset, with its reboot action
# set to reset rather than -no-reboot's exit): the VM lives on, its kernel
# boots again, and the introspector's maps and token are untouched by it.
# QEMU writes the pattern's blob again at the reset (the same bytes), the
# new kernel keeps off the reserved range (memmap=) and its counter goes on
# from the value in RAM, so every oracle of the stress holds across the
# reboot: no map is refused, ended or retained by it. Once maps were made
# after the reboot, L1 ends the stress by revoking its token.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
stress_pair_up
booted_twice() {
	[ "$(grep -c '^kvmi-l2: userspace at' "$KVMI_RUN/target-console.log")" = 2 ]
}
check "the target's reboot action is reset (QMP set-action)" \
	kvmi-vm qmp target set-action '{"reboot": "reset"}'
# The stress goes on until L1 ends its token (-x), once maps were made after
# the reboot, however long the target takes to boot again.
stress_begin 600 -s 6 -x -a EKEYREVOKED random
stress_maps_live
check "L1 resets the target mid-stress" kvmi-vm reset target
check "the target boots again, in the same QEMU" wait_for 180 booted_twice
check "its agent answers again" kvmi-vm exec target -t 120 true
check "the counter moves again after the reboot" \
	kvmi-pattern counter-wait "$RAM" "$COUNTER_GPA" 30000
MAPS0=$(host_stat total_maps)
check "the stress makes maps after the reboot" wait_for 120 host_stat_at_least total_maps $((MAPS0 + 1))
check "the target's QEMU is the same process: the VM was never destroyed" \
	test "$(kvmi-vm pid target)" = "$T"
check "the reset refused no map (fail_token_revoked unchanged)" \
	test "$(host_stat fail_token_revoked)" = "$(h0 fail_token_revoked)"
check "L1 revokes the token, ending the stress" kvmi-ctl revoke "$TOKEN_ID"
TOKENS_ENDED=1 STRESS_REFUSED=-EKEYREVOKED stress_end
stress_done
