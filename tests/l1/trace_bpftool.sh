#!/bin/bash
# kvmi-trace hc --pin: after kvmi-trace exits, maps and links stay pinned;
# `bpftool map dump pinned` shows the counts kvmi-trace printed, and the
# pinned links keep counting. Then bpftool alone, as bpf/README.md tells a
# user: `bpftool prog loadall hc.bpf.o ... autoattach` (bpftool 7.5, from
# bookworm-backports) on the object make install ships, no kvmi-trace at
# all; removing the pins detaches every link.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"
N=500
P=/sys/fs/bpf/kvmi

progress "booting introspector"
check "introspector boots" start_vms introspector
# Tracing links before any of ours: after each part, the count is back here.
tracing_links() { bpftool -j link show | jq '[.[] | select(.type == "tracing")] | length'; }
links_back() { [ "$(tracing_links)" -eq "$l0" ]; }
rm -rf $P
l0=$(tracing_links)
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
# bpftool 7.5 exits 255 after showing one link by path (its do_show()
# returns errno == ENOENT ? 0 : -1 on that path too): its JSON is the answer.
fexit_link() { bpftool -j link show pinned "$P/link_hc_fexit" | json_is '.type == "tracing"'; }
check "bpftool link show pinned: the fexit link, a tracing link" fexit_link
rm -rf $P
check "removing kvmi-trace's pins detaches its links" wait_for 30 links_back

# bpftool alone.
A=/sys/fs/bpf/kvmi-aa
OBJ=$KVMI_TOP/build/bpf/autoattach/hc.bpf.o
diag "$(bpftool version | head -1)"
nprogs=$(llvm-objdump -h "$OBJ" | grep -c ' f\(entry\|exit\)/')
rm -rf $A
mkdir -p $A
check "bpftool prog loadall hc.bpf.o $A/links autoattach pinmaps $A/maps" \
	bpftool prog loadall "$OBJ" $A/links autoattach pinmaps $A/maps
pins() { find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort; }
diag "links: $(pins $A/links | tr '\n' ' ')" "maps: $(pins $A/maps | tr '\n' ' ')"
check "one pinned link per program ($nprogs fentry/fexit), all attached" \
	test "$(pins $A/links | wc -l)" -eq "$nprogs" -a "$(tracing_links)" -eq $((l0 + nprogs))
kvmi-vm exec introspector kvmi-hc -n $N 1 >/dev/null
P=$A/maps
ba=$(dump count)
check "bpftool alone: hc_hist counts the $N hypercalls (got $ba)" test "$ba" = $N
check "bpftool alone: slots total $N" test "$(dump 'slots | add')" = $N
rm -rf $A
check "removing the pins detaches every link" wait_for 30 links_back
kvmi-vm stop introspector -t 60 >&2
ktap_done
