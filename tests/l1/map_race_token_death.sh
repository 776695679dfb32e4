#!/bin/bash
# Map, unmap and token death racing on one page, from three introspector
# vCPUs (kvmi-hc race): the mapper maps with a token of short TTL, the
# unmapper unmaps the same page, the tidier's forged token runs the host's
# expiry sweep, so the token dies while maps are in flight. This is the
# race of review finding D1 (a map accounted after it could be found, so
# an unmap could free the token's target first). L1 runs with SLUB
# poisoning on our caches (vmconfigs/l1.json), the target's among them: a
# write to a freed target is a "Poison overwritten" report, which the
# watchdog makes the verdict. Every round's
# token must die mid-race with no unexpected result, and every counter must
# come back to zero. Each round's counts: <test>/race-rounds.log.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
ROUNDS=15
# The token lives for TTL seconds: long enough to outlast its hand-over.
TTL=3
PAGE=10
check "target boots" start_vms target
KVMI_SMP=3 check "introspector boots with 3 vCPUs" start_vms introspector
check "the introspector has 3 CPUs" \
	test "$(kvmi-vm exec introspector 'grep -c ^processor /proc/cpuinfo')" = 3
T=$(kvmi-vm pid target) I=$(kvmi-vm pid introspector)
TARGET_RAM=$(memfd_of "$T") WIN=$(memfd_of "$I")

died=0 maps=0 bad=0
for r in $(seq "$ROUNDS"); do
	progress "round $r of $ROUNDS"
	kvmi-ctl issue -t "$T" -r "$TARGET_RAM" -w "$WIN" -i "$I" -T "$TTL" -o "$STATE/tok" > /dev/null ||
		{ bad=$((bad + 1)); continue; }
	out=$(kvmi-vm exec introspector -t 120 -i \
		"cat > /run/t && kvmi-hc token /run/t 0 && kvmi-hc race $PAGE $PATTERN_GPA 60" \
		< "$STATE/tok")
	st=$?
	printf '# round %s: exit %s\n%s\n' "$r" "$st" "$out" >> "$KVMI_RUN/race-rounds.log"
	if [ $st -eq 0 ]; then
		died=$((died + 1))
	else
		bad=$((bad + 1))
		diag "round $r: exit $st" "$out"
	fi
	[ "$r" = 1 ] && diag "$out"
	m=$(sed -n 's/^mapper .*: [0-9]* calls, \([0-9]*\) ok,.*/\1/p' <<< "$out")
	maps=$((maps + ${m:-0}))
done
diag "$ROUNDS rounds: the token died mid-race in $died, $maps maps succeeded"
check "every round ran, its token died during the race, nothing unexpected" \
	test "$died" = "$ROUNDS" -a "$bad" = 0
check "maps succeeded" test "$maps" -gt 0
check "no live map, token or retained page left" \
	test "$(kvmi-ctl stat live_maps) $(kvmi-ctl stat live_tokens) $(kvmi-ctl stat retained)" = "0 0 0"
# A freed object's poison is checked when it is allocated again; validate
# checks every free object now.
slab_checks
ktap_done
