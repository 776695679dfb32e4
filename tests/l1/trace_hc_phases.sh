#!/bin/bash
# kvmi-trace hc, host handler phases: the introspector makes exactly N maps
# and N unmaps with a real token (as host_map.sh does), plus one map that
# fails after the token check (-ERANGE) and one unmap of a page never mapped
# (-ENOENT). kvmi-trace must report, per phase: map N+1, map.token N+1,
# map.mm N, unmap N+1, unmap.mm N; each histogram totalling its count; the
# return values per call; and phases nested in time inside their handler.
# Then the same with kprobes (text), and -p of another process sees none.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"
N=40
N2=5

# maps N: N x (map page 0, unmap page 0) in one exec; prints the rets
maps() {
	kvmi-vm exec introspector "for i in \$(seq $1); do kvmi-hc 32 token $PATTERN_GPA page:0; kvmi-hc 33 page:0; done"
}

progress "booting target and introspector"
pair_up || ktap_done
M0=$(kvmi-ctl stat total_maps) U0=$(kvmi-ctl stat total_unmaps)

# fentry/fexit, --json, filtered on the introspector's VMM
kt_start ph hc --json -p "$I"
rets=$(maps $N)
bad=$(kvmi-vm exec introspector "kvmi-hc 32 token 0x40000000 page:0; kvmi-hc 33 page:3")
kt_stop; st=$?
diag "exit status $st"
check "kvmi-trace hc exits cleanly" test "$st" -eq 0
check "guest made $N maps and $N unmaps, all ret=0" \
	test "$(grep -c '^ret=0$' <<< "$rets")" -eq $((2 * N)) -a "$(wc -l <<< "$rets")" -eq $((2 * N))
bad=$(paste -sd' ' <<< "$bad")
diag "refusals: $bad"
check "the two refusals: -ERANGE, -ENOENT" test "$bad" = "ret=-ERANGE ret=-ENOENT"
check "host counted $N maps and $N unmaps" test \
	"$(( $(kvmi-ctl stat total_maps) - M0 )) $(( $(kvmi-ctl stat total_unmaps) - U0 ))" = "$N $N"
J=$W/ph.out
diag "$(jq -c '.phases[] | del(.buckets)' $J)" "$(jq -c '.results' $J)"
cnt() { echo "[.phases[] | select(.phase == \"$1\")] | length == 1 and .[0].count == $2 and .[0].hist_total == $2 and ([.[0].buckets[].count] | add) == $2"; }
jqcheck "map: $((N + 1)) calls, histogram totals $((N + 1))" $J "$(cnt map $((N + 1)))"
jqcheck "map.token (kvmi_token_use): $((N + 1)), histogram totals $((N + 1))" $J "$(cnt map.token $((N + 1)))"
jqcheck "map.mm (vm_mmap): $N, histogram totals $N" $J "$(cnt map.mm $N)"
jqcheck "unmap: $((N + 1)), histogram totals $((N + 1))" $J "$(cnt unmap $((N + 1)))"
jqcheck "unmap.mm (vm_mmap): $N, histogram totals $N" $J "$(cnt unmap.mm $N)"
jqcheck "results: map 0 x$N, -34 x1; unmap 0 x$N, -2 x1; nothing else" $J \
	"(.results | map(\"\(.phase) \(.ret) \(.count)\") | sort) ==
	 ([\"map 0 $N\", \"map -34 1\", \"unmap 0 $N\", \"unmap -2 1\"] | sort)"
jqcheck "hypercalls 32 and 33: $((N + 1)) each" $J \
	"([.hypercalls[] | select(.nr == 32 or .nr == 33) | .count] == [$((N + 1)), $((N + 1))])"
# shellcheck disable=SC2016 # a jq program: its $ are jq's
jqcheck "phases nest in time: token + mm within map, mm within unmap, map within hypercall 32" "$J" \
	'(.phases | map({(.phase): .}) | add) as $p |
	 ([.hypercalls[] | select(.nr == 32)][0].sum) as $hc |
	 $p["map.token"].sum + $p["map.mm"].sum <= $p.map.sum and
	 $p["unmap.mm"].sum <= $p.unmap.sum and $p.map.sum <= $hc and
	 ([.phases[] | .min > 0 and .min <= .p50 and .p50 <= .p99 and .p99 <= .max] | all)'

# kprobe/kretprobe, text
kt_start phk hc -k -p "$I"
maps $N2 > /dev/null
kt_stop
P=$W/phk.out
diag "$(grep -A0 -e '^phase' -e '^count' -e 'returned' $P)"
tcount() { sed -n "/^phase $1 /,/^count/p" $P | awk '/^count/{print $2}'; }
ttotal() { sed -n "/^phase $1 /,/^count/p" $P | awk -F: '/->/{split($2, a, " "); s += a[1]} END {print s + 0}'; }
ok=1
for ph in map map.token map.mm unmap unmap.mm; do
	[ "$(tcount $ph)" = $N2 ] && [ "$(ttotal $ph)" = $N2 ] || ok=0
done
check "kprobe: every phase counts $N2, bcc histograms total $N2" test $ok = 1
both_ok() { grep -qx "map returned 0: $N2 time(s)" "$P" && grep -qx "unmap returned 0: $N2 time(s)" "$P"; }
check "kprobe: map and unmap returned 0 x$N2" both_ok

# -p of another process: the introspector's calls are not counted
kt_start oth hc --json -p "$T"
maps 1 > /dev/null
kt_stop
jqcheck "-p TARGET: no phase counted, no result" $W/oth.out \
	'([.phases[].count] | add) == 0 and (.results | length) == 0'

kvmi-vm stop introspector -t 60 >&2
kvmi-vm stop target -t 60 >&2
ktap_done
