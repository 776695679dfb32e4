#!/bin/bash
# report_browser TOP BUILD: kvmi-report's page in a real browser. A run
# directory (tests/unit/report/: a real make run's summary and its kvmi-trace hc
# report, 7 histograms) is
# turned into report.html; headless Chromium loads it, the page counts the
# plots that laid out with a non-empty box, and a screenshot is taken.
# Every histogram in the tracer's JSON must be a plot, every plot drawn,
# every link to a log resolve.
top=$1 build=$2
# shellcheck source=harness/lib/ktap.sh
. "$top/harness/lib/ktap.sh"
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
diag "the fixture holds $want histogram(s)"
out=$("$build/bin/kvmi-report" "$run" 2>&1)
diag "$out"
check "kvmi-report writes report.html with every histogram as a plot" \
	grep -qx "$run/report.html: $want plot(s)" <<< "$out"
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
self_contained() { ! grep -qE '(src|href)="(https?:|//)' "$1"; }
check "the page is self-contained (no src= or external href)" \
	self_contained "$run/report.html"
ktap_done
