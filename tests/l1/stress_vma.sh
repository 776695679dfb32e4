#!/bin/bash
# kvmi-stress's "vma" scenario (harness/l2/kvmi_stress.c): lives that
# mprotect, munmap, mremap, madvise, mlock and msync their own mapping of
# /dev/kvmmem while it holds maps, and map through a second fd, each call
# with the one result the driver allows; with every oracle.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
stress_pair_up
stress_begin 600 -s 5 -n 2400 vma
stress_end
check "every kind of VMA operation was done, in lives that ended every way" \
	json_true '(.totals.vma_ops_done | length) == 20 and (.totals.lives_ended_by | length) == 6' \
	"$STRESS_JSON"
diag "$(jq -c '.totals.vma_ops_done' <<< "$STRESS_JSON")"
stress_done
