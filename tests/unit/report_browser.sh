#!/bin/bash
# report_browser TOP BUILD: kvmi-report's page in a real browser. A run
# directory (tests/unit/report/: a real make run's summary, its kvmi-trace hc
# report and its timeline of the host handler's counters, a real make
# bench's figures and bpftrace histogram, a real stress_mutual's two
# kvmi-stress runs, and a real freeze_retry, retried after L1 froze) is
# turned into report.html;
# headless Chromium loads it, the page counts the plots that laid out with a
# non-empty box, and a screenshot is taken. Every histogram in the tracers'
# JSON and every timeline must be a plot, every plot drawn, every bench
# figure in a table, every stress run a row with its ops/s and replay,
# every link to a log resolve.
top=$1 build=$2
# shellcheck source=harness/lib/ktap.sh
. "$top/harness/lib/ktap.sh"
shopt -s nullglob
run=$(mktemp -d)
trap 'rm -rf "$run"; ktap_emit' EXIT
cp -r "$top/tests/unit/report/." "$run/"

# The histograms the page must show: non-empty "buckets" in the final
# report (the last line) of every *.trace.json.
want=0
for f in "$run"/*/*.trace.json; do
	n=$(tail -n 1 "$f" | jq '[.. | objects | select(.buckets? | type == "array" and length > 0)] | length')
	want=$((want + n))
done
# and every timeline (kvmi-ctl watch: one JSON line per sample) of 2 samples or more
for f in "$run"/*/*.timeline.json; do
	[ "$(jq -s length "$f")" -gt 1 ] && want=$((want + 1))
done
stress=("$run"/*/kvmi-stress*.json)
nstress=${#stress[@]}
diag "the fixture holds $want histogram(s) and timeline(s), $nstress stress run(s)"
fixture_complete() {
	local t=("$run"/*/*.timeline.json) b=("$run"/*/bench_*.json) h=("$run"/*/*.trace.json)
	echo "${#h[@]} tracer file(s), ${#t[@]} timeline(s), ${#b[@]} benchmark file(s), $nstress stress run(s)"
	[ "${#h[@]}" -gt 0 ] && [ "${#t[@]}" -gt 0 ] && [ "${#b[@]}" -gt 0 ] && [ "$nstress" -gt 0 ]
}
check "the fixture has tracer histograms, a timeline, a benchmark's figures and stress runs" \
	fixture_complete
out=$("$build/bin/kvmi-report" "$run" 2>&1)
diag "$out"
check "kvmi-report writes report.html with every histogram as a plot" \
	grep -qx "$run/report.html: $want plot(s), $nstress stress run(s)" <<< "$out"
check "one SVG per plot from gnuplot" \
	test "$(find "$run/plots" -name '*.svg' | wc -l)" -eq "$want"

chrome() {
	timeout 120 chromium-headless-shell --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$run/chrome" "$@" "file://$run/report.html" 2> "$run/chrome.log"
}
body=$(chrome --virtual-time-budget=10000 --dump-dom | grep -o '<body[^>]*>')
diag "Chromium: $body"
check "Chromium counts $want plot(s) on the page" grep -q "data-plots=\"$want\"" <<< "$body"
check "Chromium laid out every plot with a non-empty box" \
	grep -q "data-plots-rendered=\"$want\"" <<< "$body"
chrome --window-size=1400,1800 --screenshot="$run/shot.png" > /dev/null
is_png() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ]; }
check "the screenshot is a non-empty PNG" is_png "$run/shot.png"
# Every link is to a file of the run.
bad=0 links=0
while read -r href; do
	links=$((links + 1))
	[ -f "$run/$href" ] || { diag "dangling link: $href"; bad=$((bad + 1)); }
done < <(grep -o '<a href="[^"]*"' "$run/report.html" | sed 's/^<a href="//; s/"$//')
check "every log link resolves ($links links)" test "$bad" -eq 0 -a "$links" -gt 0
# Every benchmark's figures: a table headed by its file, each mode a row.
for f in "$run"/*/bench_*.json; do
	name=${f#"$run/"}
	check "$name: its figures are on the page" grep -q "<h3>${name%%/*}: ${name#*/}</h3>" "$run/report.html"
	for mode in $(jq -r '.modes[]?.mode' "$f"); do
		check "$name: mode $mode has its row" grep -q "<tr><td>$mode</td>" "$run/report.html"
	done
done
# Every kvmi-stress run: a row with its throughput, its oracles and its replay.
stress_cell() { awk -v v="$1" -v f="$2" 'BEGIN { printf f, v }'; }
for f in "$run"/*/kvmi-stress*.json; do
	name=${f#"$run/"} test=${name%%/*} base=$(basename "$f" .json)
	secs=$(jq .seconds "$f") ops=$(jq '[.totals.ops[]] | add' "$f")
	want_row="<tr><td>$test</td><td>$base</td><td>$(jq -r .scenario "$f")</td>"
	want_row+="<td>$(jq .seed "$f")</td><td>$(stress_cell "$secs" %.1f)</td><td>$ops</td>"
	want_row+="<td>$(stress_cell "$(jq "$ops / .seconds" "$f")" %.0f)</td>"
	want_row+="<td>$(jq .totals.maps_made "$f")</td>"
	check "$name: its row, with $ops ops in $secs s" grep -qF "$want_row" "$run/report.html"
	check "$name: its oracles held and its replay command is shown" \
		grep -qF "<td class=\"pass\">held</td><td><code>$(jq -r .replay "$f")</code>" \
		"$run/report.html"
done
# A retried test: why its first attempt ended, and that attempt's logs.
first=$(jq -r '.tests[] | select(.retried) | .first_attempt' "$run/summary.json")
check "a retried test's row says why its first attempt ended" \
	grep -qF "<p>first attempt: $first</p>" "$run/report.html"
check "and links its first attempt's console" \
	grep -qF '<a href="freeze_retry.attempt1/l1-console.log">' "$run/report.html"
self_contained() { ! grep -qE '(src|href)="(https?:|//)' "$1"; }
check "the page is self-contained (no src= or external href)" \
	self_contained "$run/report.html"
ktap_done
