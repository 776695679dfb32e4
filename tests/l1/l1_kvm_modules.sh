#!/bin/bash
# L1 runs OUR rebuilt kvm.ko and kvm-amd.ko, with module BTF and nested SVM.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"

taint_has_O() { grep -q O "/sys/module/$1/taint" && echo "$1 taint: $(cat "/sys/module/$1/taint")"; }
check "kvm is our out-of-tree build" taint_has_O kvm
check "kvm_amd is our out-of-tree build" taint_has_O kvm_amd
check "/dev/kvm exists" test -c /dev/kvm
btf_has() { bpftool btf dump file /sys/kernel/btf/kvm | grep -c "FUNC '$1'"; }
check "/sys/kernel/btf/kvm lists kvm_emulate_hypercall" btf_has kvm_emulate_hypercall
nested() { echo "nested=$(cat /sys/module/kvm_amd/parameters/nested)"; grep -qx 1 /sys/module/kvm_amd/parameters/nested; }
check "kvm_amd has nested SVM" nested
ktap_done
