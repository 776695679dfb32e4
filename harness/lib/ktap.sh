# shellcheck shell=bash
# KTAP from a shell test, at any level: results are buffered and printed
# under an exact plan when the script exits, however it exits; diag lines
# are "# ..."; progress goes to KVMI_CONSOLE (L1's console) or stderr.
KTAP_N=0
KTAP_FAILED=0

# Results are buffered and printed under an exact plan when the job exits,
# however it exits. In L1 the buffer is on the results share
# (<test>/ktap.partial), so a job stopped at its timeout still shows the
# runner how far it got.
if [ -n "${KVMI_RUN:-}" ] && [ -d "$KVMI_RUN" ]; then
	KTAP_BUF=$KVMI_RUN/ktap.partial
	: > "$KTAP_BUF"
else
	KTAP_BUF=$(mktemp)
fi
exec 3>&1 1>"$KTAP_BUF"
ktap_emit() {
	exec 1>&3
	printf 'KTAP version 1\n1..%d\n' "$KTAP_N"
	cat "$KTAP_BUF"
	rm -f "$KTAP_BUF"
}
trap ktap_emit EXIT
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
progress() { echo "kvmi-job: $*" > "${KVMI_CONSOLE:-/dev/stderr}"; }
pass() { KTAP_N=$((KTAP_N + 1)); echo "ok $KTAP_N $*"; }
fail() { KTAP_N=$((KTAP_N + 1)); KTAP_FAILED=$((KTAP_FAILED + 1)); echo "not ok $KTAP_N $*"; }

# check NAME CMD...: run CMD, show its output as diagnostics, report.
check() {
	local name=$1 out st
	shift
	out=$("$@" 2>&1)
	st=$?
	[ -n "$out" ] && diag "$out"
	if [ $st -eq 0 ]; then pass "$name"; else diag "exit status $st: $*"; fail "$name"; fi
	return $st
}

# check_here NAME CMD...: check, with CMD run in this shell (not in a
# command substitution), so the variables it sets stay set.
check_here() {
	local name=$1 tmp st
	shift
	tmp=$(mktemp)
	"$@" > "$tmp" 2>&1
	st=$?
	[ -s "$tmp" ] && diag "$(cat "$tmp")"
	rm -f "$tmp"
	if [ $st -eq 0 ]; then pass "$name"; else diag "exit status $st: $*"; fail "$name"; fi
	return $st
}

# ktap_nest: a kselftest's TAP output on stdin, as a KTAP block nested one
# level down (streamed): its stray lines (stderr, assertion reports) become
# diagnostics.
ktap_nest() {
	sed -u -E -e 's/^TAP version 13$/KTAP version 1/' \
		-e '/^(KTAP version|1\.\.|ok |not ok |#)/!s/^/# /' -e 's/^/    /'
}

ktap_done() { exit $((KTAP_FAILED > 0)); }
