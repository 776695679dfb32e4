#!/bin/bash
# make bench (guest driver): /dev/kvmmem map+unmap round trip against a null
# hypercall, and map latency with 1, 1000 and 10000 live mappings. Not a
# test: it asserts nothing about speed.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
N=${KVMI_BENCH_ITERATIONS:-1000}
pair_up
progress "timing $N round trips, then 1/1000/10000 live mappings"
out=$(kvmi-vm exec introspector -t 900 "kvmmem_bench $N")
check "benchmark ran" jq -e .map_unmap_over_null <<< "$out"
echo "$out" > "$KVMI_RUN/bench_kvmmem.json"
diag "$out"
check "no live map left" test "$(kvmi-ctl stat live_maps)" = 0
ktap_done
