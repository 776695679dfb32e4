#!/bin/bash
# The host handler against a VMM of our own (tests/l1/kvmi_host_test.c, on
# KVM's selftest library): no L2 boot. Its tests nest as one KTAP block.
# L1 poisons our caches, struct kvmi_target's among them (slub_debug in
# vmconfigs/l1.json), so the race test's write to a freed target is a
# kernel report; validate checks every free object at the end.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
t0=$SECONDS
progress "kvmi_host_test"
# kvmi.host_test_only=A,B on L1's command line (KVMI_HOST_TEST_ONLY) runs
# only those. The suite gives this job one L1 vCPU: with two, the race's
# VMs (map_unmap_revoke) break L1 under QEMU 7.2 whatever their vCPUs do
# (README, "Open"). Streamed: a test that brings L1 down leaves its output.
diag "L1 CPUs: $(nproc)"
# fail_nth_sweeps is the fail_nth job's (the debug kernel, its knobs set).
export KVMI_HOST_TEST_SKIP=${KVMI_HOST_TEST_SKIP:+$KVMI_HOST_TEST_SKIP,}fail_nth_sweeps
stdbuf -oL -eL "$KVMI_TOP/build/bin/kvmi_host_test" 2>&1 | ktap_nest
st=${PIPESTATUS[0]}
diag "kvmi_host_test: exit $st in $((SECONDS - t0)) s"
if [ "$st" -eq 0 ]; then pass "kvmi_host_test"; else fail "kvmi_host_test"; fi
check "no live map, token or retained page left" \
	test "$(kvmi-ctl stat live_maps) $(kvmi-ctl stat live_tokens) $(kvmi-ctl stat retained)" = "0 0 0"
slab_checks
ktap_done
