#!/bin/bash
# A token expires mid-stress: the introspector stresses with a token of a
# 60 s TTL; once the host says it expired and has refused a map with it
# (-EKEYEXPIRED), the stress ends (-x), and every oracle holds.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
stress_pair_up
SHORT=$(kvmi-ctl issue -t "$T" -r "$TARGET_RAM" -w "$WIN" -i "$I" -T 60 -o "$STATE/short")
ID=$(awk '{ print $2 }' <<< "$SHORT")
check "a second token, of 60 s, handed over" put_token "$STATE/short"
stress_begin 600 -s 3 -x -a EKEYEXPIRED random
check "the stress has maps live before the token expires" wait_for 60 maps_live
REFUSED0=$(host_stat fail_token_expired)
check "the token expires mid-stress" wait_for 120 token_expired "$ID"
check "the host refuses the stress's next maps (token_expired)" \
	wait_for 120 host_stat_at_least fail_token_expired $((REFUSED0 + 1))
TOKENS_ENDED=1 STRESS_REFUSED=-EKEYEXPIRED stress_end
stress_done
