# shellcheck shell=bash
# Helpers for the kvmi-trace jobs (sourced after lib.sh).
KT=$KVMI_TOP/build/bin/kvmi-trace
W=/run/kvmi-trace-test
mkdir -p $W

# kt_start NAME ARGS...: run kvmi-trace ARGS in the background, stdout to
# $W/NAME.out, stderr to $W/NAME.err; once it has attached, report one KTAP
# result. Not under check(): KT_PID must survive (no subshell).
kt_start() {
	local name=$1 what _
	shift
	# The result's name says PID, not the pid: names do not vary by run.
	what=$(sed -E 's/(-p|--pid) [0-9]+/\1 PID/g' <<< "$*")
	# Emptied here: the background job's own redirection may come after
	# the first poll, which would then see the last run's line under
	# this NAME, and SIGINT would reach a kvmi-trace that still ignores
	# it (a background job's default), so kt_stop would wait forever.
	: > "$W/$name.err"
	"$KT" "$@" > "$W/$name.out" 2> "$W/$name.err" &
	KT_PID=$!
	for _ in $(seq 1200); do	# 120 s: a bound, not a delay
		if grep -q '^Tracing' "$W/$name.err"; then
			[ -n "$KT_QUIET" ] || pass "kvmi-trace $what attaches"
			return 0
		fi
		kill -0 $KT_PID 2>/dev/null || break
		sleep 0.1
	done
	diag "kvmi-trace $* did not attach:" "$(cat "$W/$name.err")"
	[ -n "$KT_QUIET" ] || fail "kvmi-trace $what attaches"
	return 1
}

# kt_stop: SIGINT, as a user would; its exit status. Not under check()
# either: only this shell can wait for it.
kt_stop() {
	kill -INT "$KT_PID"
	wait "$KT_PID"
}

# jqcheck NAME FILE FILTER: FILE holds exactly one JSON document and
# FILTER yields true on it (jq -e alone passes on an empty file).
jqcheck() {
	local name=$1 file=$2 filter=$3
	check "$name" json_is "$filter" < "$file"
}
