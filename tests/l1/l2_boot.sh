#!/bin/bash
# Both L2 VMs boot, answer commands, carry a token, show the target's RAM
# file holding the pattern and a live counter, and power off cleanly.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"

progress "booting target and introspector"
check "target and introspector boot, agents answer" start_vms target introspector

same_kernel() { local r; r=$(kvmi-vm exec "$1" uname -r) && echo "$1: $r" && [ "$r" = "$KVMI_L2_ABI" ]; }
check "target runs a command" same_kernel target
check "introspector runs a command" same_kernel introspector
status7() { kvmi-vm exec introspector 'exit 7'; [ $? -eq 7 ]; }
check "exit status comes back" status7

TARGET_RAM=$(target_ram)
check "target RAM is a memfd, with no path to reuse" \
	bash -c "readlink '$TARGET_RAM' | grep -qx '/memfd:memory-backend-memfd (deleted)'"
check "target RAM file holds the pattern" \
	kvmi-pattern check "$TARGET_RAM" "$PATTERN_GPA" "$PATTERN_GPA" "$PATTERN_SIZE"
check "target counter moves in its RAM file" \
	kvmi-pattern counter-wait "$TARGET_RAM" "$COUNTER_GPA" 10000

token_channel() {
	local tok=$STATE/token sum
	head -c 32 /dev/urandom > "$tok"
	sum=$(kvmi-vm exec introspector -i 'cat > /run/kvmi-token && sha256sum < /run/kvmi-token' < "$tok")
	echo "sent $(sha256sum < "$tok" | cut -c1-16), guest has ${sum:0:16}"
	[ "${sum%% *}" = "$(sha256sum < "$tok" | cut -d' ' -f1)" ]
}
check "a token reaches the introspector over the control channel" token_channel

# A client that gives up (killed here, as one whose kernel went down under
# kexec) leaves its request in the channel: the agent still answers it, and
# that answer must not be taken for the next command's.
stale_answer() {
	local out
	timeout 2 kvmi-vm exec target 'sleep 4; echo stale'
	out=$(kvmi-vm exec target 'echo fresh')
	echo "next command's output: $out"
	[ "$out" = fresh ]
}
check "an answer its client gave up on reaches no other command" stale_answer

check "target powers off cleanly" kvmi-vm stop target -t 60
check "introspector powers off cleanly" kvmi-vm stop introspector -t 60
ktap_done
