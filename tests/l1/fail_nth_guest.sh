#!/bin/bash
# Fault injection over the guest driver, in the style of syzkaller's
# fail-nth: in the introspector, which boots the L2 debug kernel
# (suite.json: "l2_kernel": "debug"), kvmmem_test's fail_nth_sweeps runs
# open and close of /dev/kvmmem, mmap and munmap of its window, each of
# its ioctls (KVM_INTRO_MEM_MAP, KVM_INTRO_MEM_UNMAP) and the munmap of a
# window holding a live map with fail-nth = 1, 2, 3, ... until one reaches
# no N-th fault point and succeeds, and prints per operation how many
# points it reached. Then: the host's counters at baseline (a map the
# driver failed must not stay on the host), the driver's slab census, and
# kmemleak in L2; any kernel report on any console is the runner's verdict.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
SWEEPS=5
pair_up || ktap_done
BASE="$(kvmi-ctl stat live_maps) $(kvmi-ctl stat live_tokens)"
armed() {
	# shellcheck disable=SC2016 # expanded by the guest's shell
	kvmi-vm exec introspector 'D=/sys/kernel/debug; uname -r
		[ -e /proc/self/fail-nth ] && [ -d $D/failslab ] && [ -d $D/fail_page_alloc ] || exit 1
		for f in failslab fail_page_alloc; do
			echo N > $D/$f/ignore-gfp-wait; echo 1 > $D/$f/verbose
		done
		echo 0 > $D/fail_page_alloc/min-order
		test "$(cat $D/failslab/ignore-gfp-wait $D/fail_page_alloc/ignore-gfp-wait $D/fail_page_alloc/min-order)" = "N
N
0"'
}
# Every sleeping allocation and order-0 page counts (the defaults skip both).
check "fault injection in the introspector's kernel, armed for sleeping allocations" armed ||
	ktap_done
progress "kvmmem_test fail_nth_sweeps"
out=$(kvmi-vm exec introspector -t 1500 \
	"KVMI_PATTERN_GPA=$PATTERN_GPA KVMI_COUNTER_GPA=$COUNTER_GPA kvmmem_test fail_nth_sweeps")
st=$?
ktap_nest <<< "$out"
check "kvmmem_test fail_nth_sweeps: exit 0" test "$st" = 0
check "the sweeps ran (not skipped)" grep -qx "ok [0-9]* kvmmem.fail_nth_sweeps" <<< "$out"
check "every operation was swept: $SWEEPS reports" \
	test "$(grep -c '^# fail-nth .*fault points reached' <<< "$out")" = "$SWEEPS"
grep '^# fail-nth ' <<< "$out" | while read -r l; do diag "${l#\# }"; done
check "host counters at baseline" \
	test "$(kvmi-ctl stat live_maps) $(kvmi-ctl stat live_tokens)" = "$BASE"
guest_slab_checks introspector
guest_kmemleak introspector
ktap_done
