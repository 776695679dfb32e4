#!/bin/bash
# kvmi-trace hc: the introspector's kernel makes exactly N hypercalls nr 1;
# kvmi-trace reports N for nr 1 and its histogram totals N, with fentry/fexit
# (JSON, checked with jq) and with kprobes (text, bcc layout). The
# kvm:kvm_hypercall tracepoint counts the same calls independently. Then
# bcc's interval options: -i 1 -u -T --cumulative (the last report counts all
# N, in usecs, one timestamp per report), and -i 1 alone (an interval wholly
# after the calls reports none of them: cleared).
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
# shellcheck source=harness/l1/trace_lib.sh
. "$KVMI_TOP/harness/l1/trace_lib.sh"
N=1000
EV=/sys/kernel/tracing/events/kvm/kvm_hypercall

progress "booting introspector"
check "introspector boots" start_vms introspector

# fentry/fexit, --json
echo > /sys/kernel/tracing/trace
echo 1 > $EV/enable
kt_start hc hc --json
out=$(kvmi-vm exec introspector kvmi-hc -n $N 1)
kt_stop; st=$?
diag "exit status $st"
check "kvmi-trace hc exits cleanly on SIGINT" test "$st" -eq 0
echo 0 > $EV/enable
check "guest made $N hypercalls nr 1 ($out)" test "$out" = "ret=0"
tp=$(grep -c 'kvm_hypercall: nr 0x1 ' /sys/kernel/tracing/trace)
check "kvm:kvm_hypercall saw $N (saw $tp)" test "$tp" -eq $N
J=$W/hc.out
diag "$(jq -c '.hypercalls[] | del(.buckets)' $J)"
check "one JSON document, final" test "$(jq -s 'length' $J)" = 1
jqcheck "JSON fields: mode, attach, elapsed_s, hypercalls[]" $J \
	'.mode == "hc" and .final == true and .attach == "fentry" and
	 (.elapsed_s | type == "number") and (.hypercalls | type == "array")'
jqcheck "nr 1: count is $N" $J \
	"[.hypercalls[] | select(.nr == 1)] | length == 1 and .[0].count == $N"
jqcheck "nr 1: histogram buckets total $N" $J \
	"[.hypercalls[] | select(.nr == 1) | .buckets[].count] | add == $N"
jqcheck "nr 1: stats consistent (min<=p50<=p99<=max, avg=sum/count, buckets ordered)" $J \
	'.hypercalls[] | select(.nr == 1) |
	 .min > 0 and .min <= .p50 and .p50 <= .p99 and .p99 <= .max and
	 .avg == ((.sum / .count) | floor) and
	 ([.buckets[] | .low <= .high] | all) and
	 (.buckets | map(.low) | . == sort) and
	 .min >= .buckets[0].low and .max <= .buckets[-1].high'

# kprobe/kretprobe, text
kt_start hck hc -k
kvmi-vm exec introspector kvmi-hc -n $N 1 >/dev/null
kt_stop
T=$W/hck.out
diag "$(cat $T)"
cnt=$(sed -n '/^hypercall nr 1:/,/^count/p' $T | awk '/^count/{print $2}')
tot=$(sed -n '/^hypercall nr 1:/,/^count/p' $T | awk -F: '/->/{split($2, a, " "); s += a[1]} END {print s + 0}')
check "kprobe: count $N (got $cnt), bcc histogram totals $N (got $tot)" \
	test "$cnt" = $N -a "$tot" = $N

# lines FILE: how many reports (JSON documents) FILE holds so far
lines() { wc -l < "$1"; }
# more FILE N: FILE holds more than N reports (evaluated on each try)
more() { [ "$(lines "$1")" -gt "$2" ]; }

# -i 1 -u -T --cumulative -o FILE
kt_start hci hc -i 1 -u -T --cumulative -o $W/hci.json
kvmi-vm exec introspector kvmi-hc -n $N 1 >/dev/null
n0=$(lines $W/hci.json)
check "a report after the calls" wait_for 60 more $W/hci.json "$n0"
kt_stop
tail -n 1 $W/hci.json > $W/hci.last
diag "$(jq -c '.hypercalls[] | del(.buckets)' $W/hci.last)"
jqcheck "--cumulative -u: the last report counts all $N, in usecs" $W/hci.last \
	".unit == \"usecs\" and .cumulative == true and
	 ([.hypercalls[] | select(.nr == 1)] | length == 1 and .[0].count == $N)"
check "-u: the text histograms are in usecs" grep -q '^ *usecs *: count' $W/hci.out
diag "-T: $(lines $W/hci.json) reports"
check "-T: one timestamp per report" \
	test "$(grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2}$' $W/hci.out)" -eq "$(lines $W/hci.json)"

# -i 1: each interval from zero
kt_start hcc hc -i 1 -o $W/hcc.json
kvmi-vm exec introspector kvmi-hc -n $N 1 >/dev/null
n0=$(lines $W/hcc.json)
# The first report after the calls may hold their tail; the second is an
# interval wholly after them.
check "two reports after the calls" wait_for 60 more $W/hcc.json $((n0 + 1))
kt_stop
check "-i: the calls were counted in some interval" \
	jq -e -s '[.[].hypercalls[] | select(.nr == 1) | .count] | add > 0' $W/hcc.json
check "-i: an interval after the calls counts none of them (cleared)" \
	jq -e -s ".[$((n0 + 1))] | .cumulative == false and
		([.hypercalls[] | select(.nr == 1)] | length == 0)" $W/hcc.json

kvmi-vm stop introspector -t 60 >&2
ktap_done
