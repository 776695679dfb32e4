#!/bin/bash
# L1 second stage, PID 1 in the real root (L0's / with a tmpfs overlay, so
# /tmp is writable and the project may live anywhere, /tmp included): load
# our kvm.ko and kvm-amd.ko,
# run the job (stdout = KTAP, into the results share), record its exit
# status and power off.
set -u
read -r cmdline < /proc/cmdline
for a in $cmdline; do
	case "$a" in
	kvmi.*=*) k=${a%%=*}; k=${k#kvmi.}; declare -x "KVMI_${k^^}=${a#*=}" ;;
	esac
done
export KVMI_TOP KVMI_BUILD KVMI_RUN KVMI_JOB
export KVMI_STATE=/run/kvmi KVMI_CONSOLE=/dev/console
export PATH=$KVMI_BUILD/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

log() { echo "kvmi-l1: $*" > /dev/console; }
finish() {
	echo "$1" > "$KVMI_RUN/status"
	sync
	/bin/busybox poweroff -f
}

mount -t tmpfs tmpfs /run
mkdir -p /dev/shm /dev/pts "$KVMI_STATE"
mount -t tmpfs tmpfs /dev/shm
mount -t devpts devpts /dev/pts
# What udev would make: bash's process substitution needs /dev/fd.
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf
log "root mounted at $(cut -d' ' -f1 /proc/uptime)s"

if ! { insmod "/lib/modules/$(uname -r)/kernel/virt/lib/irqbypass.ko" &&
	insmod "$KVMI_BUILD/host/kvm.ko" && modprobe ccp &&
	insmod "$KVMI_BUILD/host/kvm-amd.ko"; } > "$KVMI_RUN/modules.log" 2>&1; then
	log "FAIL: cannot load our kvm modules: $(tail -n 1 "$KVMI_RUN/modules.log")"
	finish 99
fi
log "our kvm.ko and kvm-amd.ko loaded at $(cut -d' ' -f1 /proc/uptime)s"

cd "$KVMI_TOP" || finish 98
# Proof of life for the runner: a timeout while this still beats is the
# job's hang; a timeout after it stopped is L1 itself frozen.
(while echo "kvmi-l1: heartbeat" > /dev/console; do sleep 10; done) &
export KVMI_HEARTBEAT_PID=$!
bash "$KVMI_JOB" > "$KVMI_RUN/ktap" 2> "$KVMI_RUN/job.log"
st=$?
log "job exited with $st at $(cut -d' ' -f1 /proc/uptime)s"
finish "$st"
