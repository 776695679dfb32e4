#!/bin/bash
# Which of KVM's x86_64 selftests run in this nested L1, and how long they
# take: every one built (build/kvm-selftests), on Debian's stock kvm.ko and
# kvm-amd.ko, with the arguments tests/l1/kvm_selftests.json gives it, each
# bounded by KVMI_KSFT_TIMEOUT seconds (default 120). Not a test: one KTAP
# result per selftest (a skip is "# SKIP"), and one JSON line each in
# $KVMI_RUN/survey.jsonl, from which the list is chosen. A kernel message
# ends the boot (it is a verdict); kvmi.ksft_from=N on L1's command line
# (kvmi-run --set L1_APPEND=kvmi.ksft_from=N) resumes at the N-th.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
# shellcheck source=harness/l1/ksft_lib.sh
. "$KVMI_TOP/harness/l1/ksft_lib.sh"
T=${KVMI_KSFT_TIMEOUT:-120}

check "Debian's kvm.ko and kvm-amd.ko loaded" kvm_use stock || ktap_done
mapfile -t all < <(ksft_built)
i=0
for name in "${all[@]}"; do
	i=$((i + 1))
	[ "$i" -ge "${KVMI_KSFT_FROM:-1}" ] || continue
	progress "$i/${#all[@]} $name"
	read -r status secs st < <(ksft_run stock "$name" "$T")
	jq -nc --arg n "$name" --arg s "$status" --argjson t "$secs" --argjson e "$st" \
		--argjson a "$(ksft_args "$name" | jq -Rsc 'split("\n")[:-1]')" \
		'{name: $n, args: $a, status: $s, seconds: $t, exit: $e}' >> "$KVMI_RUN/survey.jsonl"
	diag "$name: $status in $secs s (exit $st)"
	case $status in
	pass) pass "$name" ;;
	skip) pass "$name # SKIP $(grep -m1 -iE 'skip|not supported|requires' "$KSFT_LOG/stock/$name.log")" ;;
	*) diag "$(tail -n 5 "$KSFT_LOG/stock/$name.log")"; fail "$name" ;;
	esac
done
ktap_done
