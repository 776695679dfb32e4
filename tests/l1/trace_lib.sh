# shellcheck shell=bash
# Helpers for the kvmi-trace jobs (sourced after lib.sh).
KT=$KVMI_TOP/build/bin/kvmi-trace
W=/run/kvmi-trace-test
mkdir -p $W

# kt_start NAME ARGS...: run kvmi-trace in the background, stdout to
# $W/NAME.out, stderr to $W/NAME.err; return once it has attached.
kt_start() {
	local name=$1 i
	shift
	"$KT" "$@" > "$W/$name.out" 2> "$W/$name.err" &
	KT_PID=$!
	for i in $(seq 300); do
		grep -q '^Tracing' "$W/$name.err" && return 0
		kill -0 $KT_PID 2>/dev/null || break
		sleep 0.1
	done
	diag "kvmi-trace $* did not attach:" "$(cat "$W/$name.err")"
	return 1
}

# kt_stop: SIGINT, as a user would; its exit status.
kt_stop() {
	kill -INT "$KT_PID"
	wait "$KT_PID"
}

# jqcheck NAME FILE FILTER: FILTER must yield true.
jqcheck() {
	local name=$1 file=$2 filter=$3
	check "$name" jq -e "$filter" "$file"
}
