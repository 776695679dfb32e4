#!/bin/bash
# QMP on the L2 VMs: kvmi-vm pauses, resumes and resets a VM through QEMU's
# monitor, QEMU writes its own pid file, and when an L2 VM stops the console
# and $STATE/NAME.stopped say why: QMP SHUTDOWN's reason, or "killed" for a
# QEMU killed outright; and each life's QEMU logs are kept.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
status() { kvmi-vm qmp target query-status | jq -r .status; }
paused() { kvmi-vm pause target && [ "$(status)" = paused ]; }
resumed() { kvmi-vm resume target && [ "$(status)" = running ]; }
qmp_error() { kvmi-vm qmp target no-such-command 2>&1 | grep -q "has not been found"; }
stopped_is() { [ "$(cat "$STATE/target.stopped" 2>/dev/null)" = "$1" ]; }
gone() { ! kvmi-vm pid target > /dev/null; }
pidfile() { [ "$(cat "$STATE/target.pid")" = "$(pgrep -f 'qemu-system.*target.ctl' | head -1)" ]; }

check "target boots" start_vms target
check "QEMU's own pid file names the running QEMU" pidfile
check "pause: QMP says paused" paused
check "resume: QMP says running" resumed
check "the target's counter moves after the resume" \
	kvmi-pattern counter-wait "$(target_ram)" "$COUNTER_GPA" 60000
check "a QMP error is QEMU's own words" qmp_error
kvmi-vm reset target >&2
check "QMP system_reset with -no-reboot: the VM stops, reason host-qmp-system-reset" \
	wait_for 60 stopped_is host-qmp-system-reset
diag "resets seen: $(cat "$STATE/target.resets" 2>/dev/null)"
check "and its QEMU is gone" wait_for 60 gone
check "target boots again" start_vms target
kvmi-vm stop target >&2
check "a clean stop: guest-shutdown" wait_for 60 stopped_is guest-shutdown
check "target boots a third time" start_vms target
kvmi-vm kill target >&2
check "a SIGKILLed QEMU: killed, no SHUTDOWN event" wait_for 60 stopped_is killed
# Three lives: QEMU's output appended to, each life's -D log kept.
lives_kept() {
	local log=$KVMI_RUN/target-qemu lives
	lives=$(grep -c 'a new QEMU starts' "$log.log")
	echo "$lives lives in target-qemu.log;" \
		"$(find "$KVMI_RUN" -name 'target-qemu-debug.log*' | wc -l) -D logs"
	[ "$lives" = 3 ] &&
		[ -s "$log-debug.log.1" ] && [ -s "$log-debug.log.2" ] &&
		[ -s "$log-debug.log" ] && [ ! -e "$log-debug.log.3" ]
}
check "each life's QEMU output and -D log are kept" lives_kept
ktap_done
