#!/bin/bash
# make bench (host handler): map and unmap latency in the introspector's
# kernel against a null hypercall (nr 1, KVM_HC_VAPIC_POLL_IRQ), interleaved
# in one run. Not a test: it asserts nothing about speed.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
N=${KVMI_BENCH_ITERATIONS:-2000}
progress "timing $N x (null, map, unmap)"
bench_in_introspector bench_host_map 600 map_over_null "kvmi-hc bench 0 $PATTERN_GPA $N"
