#!/bin/bash
# shard_merge TOP BUILD: two shards merged give what one whole run gave.
# The fixture (tests/unit/shards/, its README) is real: one whole
# `make test TESTS=...` of ten tests (L0 tests, L1 jobs, a watchdog, a
# timeout and a retry among them) and its two shards (the same with
# SHARD=1/2, SHARD=2/2), of one commit: their summary.json, the whole
# run's junit.xml, and that commit's tests/suite.json. kvmi-run --merge runs
# in a tree of its own (its binary copied, that suite beside it), so the
# fixture stays right when the suite grows. Then the merges it must refuse:
# a shard missing, one given twice, another kernel's or another selection's,
# a test in the wrong shard, a whole run, and a shard that was stopped.
top=$1 build=$2
# shellcheck source=harness/lib/ktap.sh
. "$top/harness/lib/ktap.sh"
fix=$top/tests/unit/shards
tree=$(mktemp -d)
trap 'rm -rf "$tree"; ktap_emit' EXIT
mkdir -p "$tree/build/bin" "$tree/tests"
cp "$build/bin/kvmi-run" "$tree/build/bin/"
cp "$fix/suite.json" "$tree/tests/"
whole=$fix/whole/summary.json
kunit=$build/kunit/tools/testing/kunit/kunit.py

# merge OUT DIR...: kvmi-run --merge into $tree/OUT; KTAP in OUT.ktap,
# stderr in OUT.err, its exit status in OUT.rc.
merge() {
	local out=$tree/$1
	shift
	"$tree/build/bin/kvmi-run" --results "$out" --merge "$@" > "$out.ktap" 2> "$out.err"
	echo $? > "$out.rc"
}
# The KTAP's own results, without their numbers: "ok NAME" or "not ok NAME".
results() { sed -n -E 's/^(not ok|ok) [0-9]+ ([^ #]+).*/\1 \2/p' "$1"; }
# What a run's summary says of each test, in order.
verdicts() {
	jq -c '[.tests[] | {name, result, verdict, retried}], .passed, .failed, .retries,
		.abi, .kernel_root, .stack.l1_qemu_version' "$1"
}
testcases() { grep -o '<testcase name="[^"]*"' "$1"; }

fixture_ok() {
	jq -e '.shard == null' "$whole" > /dev/null || { echo "whole: has a shard"; return 1; }
	for i in 1 2; do
		jq -e --arg s "$i/2" '.shard == $s' "$fix/$i/summary.json" > /dev/null ||
			{ echo "$i: not shard $i/2"; return 1; }
	done
	echo "whole: $(jq -r '"\(.passed) passed, \(.failed) failed, \(.retries) retried, \(.seconds)s"' "$whole");" \
		"shards: $(jq -r '"\(.tests | length) tests in \(.seconds)s"' "$fix/1/summary.json"), " \
		"$(jq -r '"\(.tests | length) tests in \(.seconds)s"' "$fix/2/summary.json")"
	jq -s -e '(.[0].tests | length) == (.[1].tests | length) + (.[2].tests | length)' \
		"$whole" "$fix/1/summary.json" "$fix/2/summary.json" > /dev/null ||
		{ echo "the shards do not add up to the whole run's tests"; return 1; }
}
check "the fixture: a whole run and its two shards, real" fixture_ok

merge m "$fix/1" "$fix/2"
diag "$(tail -n 3 "$tree/m.ktap")"
same_status() {
	local want=0
	[ "$(jq .failed "$whole")" = 0 ] || want=1
	echo "merge exit status $(cat "$tree/m.rc"), the whole run's verdict $want"
	[ "$(cat "$tree/m.rc")" = "$want" ]
}
check "the merge exits as the whole run did" same_status
check "the merged KTAP plans as many tests as the whole run" \
	grep -qx "1..$(jq '.tests | length' "$whole")" "$tree/m.ktap"
check "the merged KTAP's results are the whole run's, in its order" \
	diff <(jq -r '.tests[] | (if .result == "pass" then "ok " else "not ok " end) + .name' "$whole") \
	<(results "$tree/m.ktap")
check "the merged KTAP's last line is the whole run's count" \
	test "$(tail -n 1 "$tree/m.ktap")" = "$(jq -r '"\(.passed) passed, \(.failed) failed"' "$whole")"
if [ -f "$kunit" ]; then
	check "kunit.py parse reads the merged KTAP without an error" \
		bash -c "! /usr/bin/python3 '$kunit' parse '$tree/m.ktap' | grep -F '[ERROR]'"
fi
check "summary.json: each test's verdict, the counts, the kernel and the stack are the whole run's" \
	diff <(verdicts "$whole") <(verdicts "$tree"/m/latest/summary.json)
check "summary.json names both shards" \
	jq -e '[.shards[].shard] == ["1/2", "2/2"]' "$tree"/m/latest/summary.json
# unexpected_retries: the retries that are not a meta-test's own
# (reset_retry's, in shard 1), computed from the tests, and none but those.
unexpected() {
	local got
	got=$(jq .unexpected_retries "$tree/$1/latest/summary.json")
	echo "unexpected_retries $got, want $2"
	[ "$got" = "$2" ]
}
check "summary.json: reset_retry's retry is not an unexpected one" unexpected m 0
check "junit.xml: the whole run's test cases, in its order, and its failures" \
	diff <(testcases "$fix/whole/junit.xml"; grep -c '<failure' "$fix/whole/junit.xml") \
	<(testcases "$tree"/m/latest/junit.xml; grep -c '<failure' "$tree"/m/latest/junit.xml)

# refused NAME PATTERN DIR...: the merge fails, saying PATTERN.
refused() {
	local name=$1 pat=$2
	shift 2
	merge r "$@"
	diag "$(cat "$tree/r.err")"
	[ "$(cat "$tree/r.rc")" != 0 ] && grep -q -- "$pat" "$tree/r.err"
}
# variant NAME JQ: shard 2's summary changed by JQ, in $tree/NAME.
variant() {
	mkdir -p "$tree/$1"
	jq "$2" "$fix/2/summary.json" > "$tree/$1/summary.json"
}
check "refused: shard 2/2 missing" refused missing "shard 2/2 is missing" "$fix/1"
check "refused: shard 1/2 twice" refused twice "both shard 1/2" "$fix/1" "$fix/1"
variant abi '.abi = "6.1.0-0-amd64"'
check "refused: a shard of another kernel" refused abi "its abi is" "$fix/1" "$tree/abi"
variant sel '.selection = "host_map"'
check "refused: a shard that ran other tests" refused sel "its selection is" "$fix/1" "$tree/sel"
variant wrong ".tests += [$(jq '.tests[0]' "$fix/1/summary.json")]"
check "refused: a test in the wrong shard" refused wrong "not in shard 2/2" "$fix/1" "$tree/wrong"
check "refused: a whole run" refused whole "not a shard's run" "$fix/1" "$fix/whole"

variant froze '(.tests[] | select(.level == "L1") | .retried) |= true'
merge f "$fix/1" "$tree/froze"
check "summary.json: shard 2's L1 tests retried are unexpected retries, all of them" \
	unexpected f "$(jq '[.tests[] | select(.level == "L1")] | length' "$fix/2/summary.json")"

variant short 'del(.tests[-1])'
merge s "$fix/1" "$tree/short"
diag "$(grep -h 'stopped' "$tree/s.err" "$tree/s.ktap")"
stopped() {
	[ "$(cat "$tree/s.rc")" = 1 ] && grep -q "has $(($(jq '.tests | length' "$fix/2/summary.json") - 1)) of its" "$tree/s.err" &&
		grep -qx "1..$(jq '.tests | length' "$whole")" "$tree/s.ktap" &&
		test "$(results "$tree/s.ktap" | wc -l)" = "$(($(jq '.tests | length' "$whole") - 1))"
}
check "a stopped shard: the merge fails, its plan keeps the missing test" stopped
