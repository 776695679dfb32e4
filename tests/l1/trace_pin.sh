#!/bin/bash
# kvmi-trace pin, inside the introspector guest: kvmi_pintest.ko pins one
# user page and never unpins it; the tracer reports exactly that pfn, its
# pid and the stack through the module. A pin + unpin run reports zero.
# The kernel's own FOLL_PIN counter (/proc/vmstat) must agree.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"

progress "booting introspector"
check "introspector boots" start_vms introspector

# run_pin CMDS: kvmi-trace pin --json around CMDS in the guest; prints the
# JSON, then "vmstat A R" (nr_foll_pin_acquired/released deltas).
run_pin() {
	kvmi-vm exec introspector -t 180 "
		# stat_refresh folds the per-cpu vmstat deltas first
		v() { echo 1 > /proc/sys/vm/stat_refresh
		      awk '/^nr_foll_pin_(acquired|released)/{printf \"%s \", \$2}' /proc/vmstat; }
		# emptied here, not by the background job's own redirection, which
		# may come after the first poll: the last run's line would pass it
		: > /run/p.err
		kvmi-trace pin --json > /run/p.json 2> /run/p.err < /dev/null &
		t=\$!
		i=0
		while ! grep -q ^Tracing /run/p.err; do
			i=\$((i + 1)); [ \$i -gt 1200 ] && { cat /run/p.err; exit 1; }
			sleep 0.1
		done
		echo \"attached after \$i polls\" >&2
		a=\$(v)
		$1
		b=\$(v)
		kill -INT \$t; wait \$t
		echo \"kvmi-trace exited with \$?\" >&2
		cat /run/p.json
		echo \"vmstat \$a\$b\"
	"
}

# pin_run NAME CMDS: run_pin CMDS, its output in $out and its JSON in $J;
# it must have exited 0 with its JSON.
pin_run() {
	local st
	out=$(run_pin "$2")
	st=$?
	J=$(echo "$out" | grep '^{')
	diag "exit status $st" "$(echo "$out" | grep -v -e '^{' -e '^vmstat')"
	check "$1: kvmi-trace ran in the guest" test "$st" -eq 0 -a -n "$J"
}

pin_run "leak run" 'echo pin > /dev/kvmi_pintest'
held=$(kvmi-vm exec introspector cat /dev/kvmi_pintest)
diag "module holds: $held"
pfn=$(echo "$held" | awk 'NR==1{print $2}')
pid=$(echo "$held" | awk 'NR==1{print $4}')
diag "$(echo "$J" | jq -c '.unbalanced[]? | {pfn, refs, pid, comm}')"
diag "$(echo "$J" | jq -r '.unbalanced[0].stack[]?')"
check "module holds exactly one pinned page" test "$(echo "$held" | grep -c '^pfn')" = 1
check "exactly one unbalanced pfn reported" test "$(echo "$J" | jq '.unbalanced | length')" = 1
diag "the module's page: pfn $pfn, pid $pid"
check "it is the module's page" \
	test "$(echo "$J" | jq -r '.unbalanced[0] | "\(.pfn) \(.pid) \(.refs)"')" = "$((pfn)) $pid 1"
check "its stack goes through kvmi_pintest_write" \
	sh -c "echo '$J' | jq -r '.unbalanced[0].stack[]' | grep -q 'kvmi_pintest_write.*\[kvmi_pintest\]'"
# shellcheck disable=SC2046 # two numbers, split on purpose
set -- $(echo "$out" | awk '/^vmstat/{print $4 - $2, $5 - $3}')
diag "nr_foll_pin_acquired +$1, traced pins $(echo "$J" | jq .taken)"
check "FOLL_PIN counters agree: acquired = traced pins" \
	test "$1" = "$(echo "$J" | jq .taken)"

pin_run "balanced run" 'echo pin > /dev/kvmi_pintest; echo unpin > /dev/kvmi_pintest'
diag "$(echo "$J" | jq -c 'del(.unbalanced, .orphans)')"
check "balanced run: pins seen (taken >= 1, dropped >= 1)" \
	test "$(echo "$J" | jq '.taken >= 1 and .dropped >= 1')" = true
check "balanced run: zero unbalanced pfns" \
	test "$(echo "$J" | jq '.unbalanced_pfns')" = 0
# shellcheck disable=SC2046 # two numbers, split on purpose
set -- $(echo "$out" | awk '/^vmstat/{print $4 - $2, $5 - $3}')
diag "nr_foll_pin_acquired +$1 released +$2, traced $(echo "$J" | jq -c '[.taken, .dropped]')"
check "FOLL_PIN counters agree: acquired and released = traced" \
	test "[$1,$2]" = "$(echo "$J" | jq -c '[.taken, .dropped]')"

kvmi-vm stop introspector -t 60 >&2
ktap_done
