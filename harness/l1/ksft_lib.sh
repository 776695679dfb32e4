# shellcheck shell=bash
# KVM's selftests in L1 (sourced after lib.sh): which kvm.ko is loaded, and
# one selftest run with its time bound. The list, its arguments and what is
# left out and why: tests/l1/kvm_selftests.json.
KSFT_BIN=$KVMI_BUILD/kvm-selftests
KSFT_LIST=$KVMI_TOP/tests/l1/kvm_selftests.json
KSFT_LOG=$KVMI_RUN/kvm-selftests
mkdir -p "$KSFT_LOG"
STOCK_KVM=/lib/modules/$(uname -r)/kernel/arch/x86/kvm

# kvm_use ours|stock: unload whichever kvm.ko and kvm-amd.ko are in, load
# the named set (nested SVM is kvm-amd's default in 6.1), and say which is
# in: ours is out of tree (taint O), Debian's is not.
kvm_use() {
	local dir
	case $1 in
	ours) dir=$KVMI_KBUILD/host ;;
	stock) dir=$STOCK_KVM ;;
	*) echo "kvm_use: ours or stock, not $1"; return 2 ;;
	esac
	rmmod kvm_amd kvm || return 1
	insmod "$dir/kvm.ko" || return 1
	insmod "$dir/kvm-amd.ko" || return 1
	echo "kvm taint '$(cat /sys/module/kvm/taint)', kvm_amd nested=$(cat /sys/module/kvm_amd/parameters/nested)"
	case $1 in
	ours) grep -q O /sys/module/kvm/taint ;;
	stock) ! grep -q O /sys/module/kvm/taint ;;
	esac
}

# ksft_built: every selftest built, by its name in the list (x86_64/...).
ksft_built() {
	(cd "$KSFT_BIN" && find . -type f -perm -u+x ! -name '*.o') |
		sed 's|^\./||' | grep -v '^lib/' | sort
}

# ksft_args NAME: the arguments the list gives NAME (one per line).
ksft_args() {
	jq -r --arg n "$1" '.run[] | select(.name == $n) | .args[]?' "$KSFT_LIST"
}

# ksft_run SET NAME TIMEOUT: run selftest NAME with its arguments, output
# to $KSFT_LOG/SET/NAME.log. Prints "STATUS SECONDS EXIT": STATUS is pass,
# fail, skip (kselftest's exit 4) or timeout.
ksft_run() {
	local set=$1 name=$2 timeout=$3 log t0 st status args=()
	log=$KSFT_LOG/$set/$name.log
	mkdir -p "$(dirname "$log")"
	mapfile -t args < <(ksft_args "$name")
	t0=$(date +%s.%N)
	# Line-buffered: a selftest stopped at its timeout leaves its log.
	timeout -k 10 "$timeout" stdbuf -oL -eL "$KSFT_BIN/$name" "${args[@]}" \
		> "$log" 2>&1 < /dev/null
	st=$?
	case $st in
	0) status=pass ;;
	4) status=skip ;;
	124 | 137) status=timeout ;;
	*) status=fail ;;
	esac
	printf '%s %.1f %d\n' "$status" "$(echo "$(date +%s.%N) - $t0" | bc)" "$st"
}
