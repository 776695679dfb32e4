#!/bin/bash
# The target's QEMU is SIGKILLed mid-stress: the host retains the pages
# the introspector maps (their bytes stay the target's, as the stress's
# oracles check), refuses new maps (the token dies with its target), and
# once the stress has unmapped everything nothing is retained.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
stress_pair_up
stress_begin 600 -s 4 -x -a EKEYREVOKED random
stress_maps_live
REFUSED0=$(host_stat fail_token_revoked)
check "L1 SIGKILLs the target's QEMU mid-stress" kvmi-vm kill target
check "the host retains the dead target's mapped pages" \
	wait_for 60 host_stat_at_least retained 1
check "the host refuses the stress's next maps (the token died with its target)" \
	wait_for 120 host_stat_at_least fail_token_revoked $((REFUSED0 + 1))
TOKENS_ENDED=1 STRESS_REFUSED=-EKEYREVOKED stress_end
kill "$HOLDER"
kvmi-vm stop introspector >&2
ktap_done
