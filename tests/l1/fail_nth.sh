#!/bin/bash
# Fault injection over every operation a user or a guest can start, in the
# style of syzkaller's fail-nth: kvmi_host_test's fail_nth_sweeps runs each
# /dev/kvmi ioctl, open and close of /dev/kvmi, and the map and unmap
# hypercalls (the host handler on the test's own vCPU thread, KVM_RUN's
# fault points with them) with fail-nth = 1, 2, 3, ... until one reaches no
# N-th fault point and succeeds, and prints per operation how many points it
# reached. Needs the debug kernel (CONFIG_FAULT_INJECTION): suite.json runs
# it with KERNEL=debug only. kmemleak is judged after the job (l1-stage2.sh)
# and any kernel report by the runner.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
D=/sys/kernel/debug
if [ ! -e /proc/self/fail-nth ] || [ ! -d $D/failslab ] || [ ! -d $D/fail_page_alloc ]; then
	fail "fault injection in this kernel (fail-nth, failslab, fail_page_alloc)"
	diag "$(uname -r): no CONFIG_FAULT_INJECTION, FAILSLAB or FAIL_PAGE_ALLOC: run it with KERNEL=debug"
	ktap_done
fi
# Count every sleeping allocation and order-0 page too (the defaults skip
# both), and print one line per injection, no stack (a sweep injects
# hundreds: replay one with verbose=2 for its stack).
for f in failslab fail_page_alloc; do
	echo N > $D/$f/ignore-gfp-wait
	echo 1 > $D/$f/verbose
done
echo 0 > $D/fail_page_alloc/min-order
check "fault injection armed: failslab and fail_page_alloc count sleeping allocations" \
	test "$(cat $D/failslab/ignore-gfp-wait $D/fail_page_alloc/ignore-gfp-wait $D/fail_page_alloc/min-order)" = "N
N
0"
progress "kvmi_host_test fail_nth_sweeps"
# Streamed: a sweep that brings L1 down leaves its output.
KVMI_HOST_TEST_ONLY=fail_nth_sweeps stdbuf -oL -eL "$KVMI_TOP/build/bin/kvmi_host_test" 2>&1 |
	tee "$STATE/fail_nth.out" | ktap_nest
st=${PIPESTATUS[0]}
out=$(cat "$STATE/fail_nth.out")
check "kvmi_host_test fail_nth_sweeps: exit 0" test "$st" = 0
check "the sweeps ran (not skipped)" grep -q "^ok [0-9]* window.fail_nth_sweeps$" <<< "$out"
check "every operation was swept: 8 reports" \
	test "$(grep -c '^# fail-nth .*fault points reached' <<< "$out")" = 8
grep '^# fail-nth ' <<< "$out" | while read -r l; do diag "${l#\# }"; done
check "no live map, token or retained page left" \
	test "$(kvmi-ctl stat live_maps) $(kvmi-ctl stat live_tokens) $(kvmi-ctl stat retained)" = "0 0 0"
slab_checks
ktap_done
