#!/bin/bash
# Topology: two introspectors stress one target at once, each with a
# token bound to it and to its own mapping window, each on scratch pages
# of its own (kvmi-stress -o). Both stresses' oracles hold; the target's
# RAM holds each one's writes in its own pages alone; neither QEMU maps a
# page of the target afterwards.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
stress_pair_up
KVMI_SMP=${STRESS_SMP:-2} check "a second introspector boots (introspector.json as introspector2)" \
	kvmi-vm start introspector2 -c introspector -t 180 || ktap_done
I2=$(kvmi-vm pid introspector2)
WIN2=$(memfd_of "$I2")
token2() {
	kvmi-ctl issue -t "$T" -r "$TARGET_RAM" -w "$WIN2" -i "$I2" -T "$TOKEN_TTL" -o "$STATE/tok2" &&
		kvmi-vm exec introspector2 -i 'cat > /run/t' < "$STATE/tok2"
}
check "a token for it, bound to its own window, handed over" token2
stress_begin 900 -s 7 -R 2 -o 0 random
ARGS2="-s 8 -R 2 -o 32 random"
out2=$(kvmi-vm exec introspector2 -t 900 "kvmi-stress $ARGS2 2>&1; echo exit=\$?")
stress_verdict "$out2" "$ARGS2 (introspector2)" kvmi-stress-2
STRESS_OTHERS=$(jq .totals.maps_made <<< "$STRESS_JSON") stress_end
check "the target's scratch pages hold writes of the first stress (0-3) and the second (32-35) alone" \
	test "$(scratch_written "$RAM" | awk '$1 > 3 && ($1 < 32 || $1 > 35)' | wc -l)" = 0
check "the second introspector's QEMU maps no page of the target" \
	test "$(vmas_of "$I2" "$RAM_INO")" = 0
kvmi-vm stop introspector2 >&2
stress_done
