#!/bin/bash
# kvmi-trace hc --pin: after kvmi-trace exits, maps and links stay pinned;
# `bpftool map dump pinned` (Debian's bpftool 7.1) shows the counts
# kvmi-trace printed, and the pinned links keep counting.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"
N=500
P=/sys/fs/bpf/kvmi

progress "booting introspector"
check "introspector boots" start_vms introspector
rm -rf $P
kt_start pin hc --json --pin $P
kvmi-vm exec introspector kvmi-hc -n $N 1 >/dev/null
kt_stop; st=$?
diag "exit status $st"
check "kvmi-trace exits cleanly" test "$st" -eq 0
check "maps and links pinned" test -e $P/hc_hist -a -e $P/link_hc_fentry -a -e $P/link_hc_fexit
diag "$(ls $P)"
kt=$(jq '.hypercalls[] | select(.nr == 1) | .count' $W/pin.out)
# bpftool 7.1 -j: raw bytes in "key"/"value", the BTF view in "formatted"
dump() { bpftool -j map dump pinned $P/hc_hist | jq ".[].formatted | select(.key == 1) | .value.$1"; }
bt=$(dump count)
bs=$(dump 'slots | add')
diag "$(bpftool map dump pinned $P/hc_hist | head -20)"
check "bpftool count = kvmi-trace count = $N (bpftool $bt, kvmi-trace $kt)" \
	test "$bt" = "$kt" -a "$kt" = $N
check "bpftool slots total $N (got $bs)" test "$bs" = $N
# The pinned links outlive kvmi-trace: more hypercalls keep counting.
kvmi-vm exec introspector kvmi-hc -n $N 1 >/dev/null
bt2=$(dump count)
diag "count after exit: $bt2"
check "pinned links still counting after exit: $((2 * N))" test "$bt2" = $((2 * N))
check "bpftool link show pinned" bpftool link show pinned $P/link_hc_fexit
rm -rf $P
kvmi-vm stop introspector -t 60 >&2
ktap_done
