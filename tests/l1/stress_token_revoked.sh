#!/bin/bash
# The L1 conductor revokes the token mid-stress: maps made before stay
# good until unmapped, later ones are refused -EKEYREVOKED, and every
# oracle holds (kvmi-stress's "random" scenario, until its maps are all refused: -x).
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
stress_pair_up
stress_begin 600 -s 2 -x -a EKEYREVOKED random
stress_maps_live
REFUSED0=$(host_stat fail_token_revoked)
check "L1 revokes the token mid-stress" kvmi-ctl revoke "$TOKEN_ID"
check "the host refuses the stress's next maps (token_revoked)" \
	wait_for 120 host_stat_at_least fail_token_revoked $((REFUSED0 + 1))
TOKENS_ENDED=1 STRESS_REFUSED=-EKEYREVOKED stress_end
stress_done
