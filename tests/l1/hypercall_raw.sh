#!/bin/bash
# A raw hypercall 32 from the introspector's kernel reaches L1's KVM: the
# kvm:kvm_hypercall tracepoint counts exactly the calls made, with their
# arguments. Our handler answers -EFAULT (a0 = 0x1111 holds no readable
# token) and counts each; a number nobody handles still gets -KVM_ENOSYS.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
N=5
EV=/sys/kernel/tracing/events/kvm/kvm_hypercall

progress "booting introspector"
check "introspector boots" start_vms introspector

faults0=$(kvmi-ctl stat fail_token_fault)
echo > /sys/kernel/tracing/trace
echo 1 > $EV/enable
out=$(kvmi-vm exec introspector kvmi-hc -n $N 32 0x1111 0x2222 0x3333 0x4444)
echo 0 > $EV/enable
diag "guest: $out"
check "hypercall 32 with no readable token returns -EFAULT" test "$out" = "ret=-EFAULT"
check "the handler counted $N token faults" \
	test $(( $(kvmi-ctl stat fail_token_fault) - faults0 )) -eq $N
check "an unhandled hypercall (35) still gets -KVM_ENOSYS" \
	test "$(kvmi-vm exec introspector kvmi-hc 35)" = "ret=-KVM_ENOSYS"

all=$(grep -c 'kvm_hypercall: nr 0x20 ' /sys/kernel/tracing/trace)
exact=$(grep -c 'kvm_hypercall: nr 0x20 a0 0x1111 a1 0x2222 a2 0x3333 a3 0x4444$' /sys/kernel/tracing/trace)
diag "$(grep -m1 'kvm_hypercall: nr 0x20' /sys/kernel/tracing/trace)"
check "tracepoint saw exactly $N hypercalls 32 (saw $all)" test "$all" -eq $N
check "all $N carry a0..a3 = 0x1111 0x2222 0x3333 0x4444 (saw $exact)" test "$exact" -eq $N
kvmi-vm stop introspector -t 60 >&2
ktap_done
