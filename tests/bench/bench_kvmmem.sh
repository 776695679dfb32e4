#!/bin/bash
# make bench (guest driver): /dev/kvmmem map+unmap round trip against a null
# hypercall, and map latency with 1, 1000 and 10000 live mappings. Not a
# test: it asserts nothing about speed.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
N=${KVMI_BENCH_ITERATIONS:-1000}
progress "timing $N round trips, then 1/1000/10000 live mappings"
bench_in_introspector bench_kvmmem 900 map_unmap_over_null "kvmmem_bench $N"
