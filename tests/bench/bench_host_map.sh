#!/bin/bash
# make bench (host handler): map and unmap latency in the introspector's
# kernel against a null hypercall (nr 1, KVM_HC_VAPIC_POLL_IRQ), interleaved
# in one run. Not a test: it asserts nothing about speed.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
N=${KVMI_BENCH_ITERATIONS:-2000}
pair_up
progress "timing $N x (null, map, unmap)"
out=$(kvmi-vm exec introspector -t 600 "kvmi-hc bench 0 $PATTERN_GPA $N")
check "benchmark ran" jq -e .map_over_null <<< "$out"
echo "$out" > "$KVMI_RUN/bench_host_map.json"
diag "$out"
check "counters back to zero live maps" test "$(kvmi-ctl stat live_maps)" = 0
ktap_done
