#!/bin/bash
# kvmi-trace zap: every map and unmap replaces one page of the introspector
# VMM's memory, so KVM's MMU notifier must zap that gfn, with SPTEs present
# because the guest touched the page first. The target's VM, whose RAM file
# is only mapped elsewhere, must see no zap from it.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"
N=20

pair_up || ktap_done

kt_start z zap --json
# Each round: touch the page, map it, read the target's bytes, unmap, read.
out=$(kvmi-vm exec introspector "for i in \$(seq $N); do kvmi-hc zero 0 >/dev/null &&
	kvmi-hc 32 token $PATTERN_GPA page:0 && kvmi-hc check 0 $PATTERN_GPA >/dev/null &&
	kvmi-hc 33 page:0; done")
kt_stop; st=$?
diag "exit status $st"
check "kvmi-trace zap exits cleanly" test "$st" -eq 0
check "$N maps and $N unmaps, all ret=0" test "$(grep -c '^ret=0$' <<< "$out")" -eq $((2 * N))
J=$W/z.out
diag "$(jq -c . $J)"
jqcheck "introspector VM: >= $((2 * N)) zapped gfn ranges, each map and unmap with SPTEs present" $J \
	"[.vms[] | select(.pid == $I)] | length == 1 and .[0].ranges >= $((2 * N)) and
	 .[0].gfns >= $((2 * N)) and .[0].flushes >= $((2 * N))"
jqcheck "target VM: no zap with present SPTEs" $J \
	"[.vms[] | select(.pid == $T) | .flushes] | add // 0 | . == 0"
jqcheck "kvm:kvm_unmap_hva_range fired at least $((2 * N)) times" $J \
	".unmap_hva_range_events >= $((2 * N))"
kvmi-vm stop introspector >&2
kvmi-vm stop target >&2
ktap_done
