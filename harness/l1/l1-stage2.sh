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
# Our modules for L1's kernel; L2's kernel (Debian's) and ours for it.
export KVMI_KBUILD=${KVMI_KBUILD:-$KVMI_BUILD}
export KVMI_L2_ABI=${KVMI_L2_ABI:-$(uname -r)}
export KVMI_L2_KBUILD=${KVMI_L2_KBUILD:-$KVMI_BUILD}
# An L2 kernel with kmemleak (kvmi-run --l2-kernel ROOT): kvmi-vm stop scans
# before each clean poweroff, as this script does after the job.
if grep -qx CONFIG_DEBUG_KMEMLEAK=y "${KVMI_L2_KROOT:-/nonexistent}/boot/config-$KVMI_L2_ABI" 2> /dev/null; then
	export KVMI_L2_KMEMLEAK=$KVMI_TOP/harness/lib/kmemleak-scan.sh
fi
export KVMI_STATE=/run/kvmi KVMI_CONSOLE=/dev/console
export PATH=$KVMI_BUILD/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

log() { echo "kvmi-l1: $*" > /dev/console; }
finish() {
	echo "$1" > "$KVMI_RUN/status"
	sync
	# What the console still holds (a kmemleak report, the last log lines)
	# reaches the runner before the poweroff: tcdrain, bounded.
	timeout 30 perl -MPOSIX -e 'POSIX::tcdrain(1) or exit 1' > /dev/console 2> /dev/null
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

# A kernel installed under a root of its own (kvmi-run --kernel ROOT): put
# its image and modules where Debian's would be, in the overlay, so modprobe,
# kvmi-vm and the jobs find them as usual.
rel=$(uname -r)
if [ -n "${KVMI_KROOT:-}" ]; then
	if ! { mkdir -p "/lib/modules/$rel" &&
		mount --bind "$KVMI_KROOT/lib/modules/$rel" "/lib/modules/$rel" &&
		ln -sf "$KVMI_KROOT/boot/vmlinuz-$rel" "/boot/vmlinuz-$rel" &&
		ln -sf "$KVMI_KROOT/boot/config-$rel" "/boot/config-$rel"; }; then
		log "FAIL: cannot install $rel from $KVMI_KROOT"
		finish 97
	fi
	# What it needs from the harness (harness/lib/kprofile.h).
	[ ! -e "$KVMI_KROOT/boot/kvmi-$rel.json" ] ||
		ln -sf "$KVMI_KROOT/boot/kvmi-$rel.json" "/boot/kvmi-$rel.json"
fi

if ! { insmod "/lib/modules/$rel/kernel/virt/lib/irqbypass.ko" &&
	insmod "$KVMI_KBUILD/host/kvm.ko" && modprobe ccp &&
	insmod "$KVMI_KBUILD/host/kvm-amd.ko"; } > "$KVMI_RUN/modules.log" 2>&1; then
	log "FAIL: cannot load our kvm modules: $(tail -n 1 "$KVMI_RUN/modules.log")"
	finish 99
fi
log "our kvm.ko and kvm-amd.ko loaded at $(cut -d' ' -f1 /proc/uptime)s"

# kmemleak (a debug kernel): what boot left is not the test's.
KMEMLEAK=/sys/kernel/debug/kmemleak
[ ! -w "$KMEMLEAK" ] || echo clear > "$KMEMLEAK"

cd "$KVMI_TOP" || finish 98
# Proof of life for the runner: a timeout while this still beats is the
# job's hang; a timeout after it stopped is L1 itself frozen.
(while echo "kvmi-l1: heartbeat" > /dev/console; do sleep 10; done) &
export KVMI_HEARTBEAT_PID=$!
bash "$KVMI_JOB" > "$KVMI_RUN/ktap" 2> "$KVMI_RUN/job.log"
st=$?
log "job exited with $st at $(cut -d' ' -f1 /proc/uptime)s"
# Every object the test left unreferenced fails it, with its backtrace
# (harness/lib/kmemleak-scan.sh): in each L2 VM still running, if its kernel
# has kmemleak (those the job stopped were scanned then, by kvmi-vm stop),
# and in L1. The VMs are scanned at once (each waits 5 s first), and beside L1.
scans=
[ -z "${KVMI_L2_KMEMLEAK:-}" ] ||
for p in "$KVMI_STATE"/*.pid; do
	[ -e "$p" ] || continue
	vm=${p##*/}
	vm=${vm%.pid}
	kvmi-vm pid "$vm" > /dev/null 2>&1 || continue
	kvmi-vm kmemleak "$vm" > /dev/null 2>&1 &
	scans="$scans $!"
done
if [ -w "$KMEMLEAK" ]; then
	log "kmemleak: scanned after the job, $(sh "$KVMI_TOP/harness/lib/kmemleak-scan.sh" kvmi-l1)"
fi
# shellcheck disable=SC2086 # one pid per word
[ -z "$scans" ] || wait $scans
# A VM that could not be scanned (paused, hung, its scan failed: kvmi-vm
# says why on the console) proves nothing about leaks: the test fails.
if [ -s "$KVMI_STATE/kmemleak-unscanned" ]; then
	while read -r line; do
		log "FAIL: kmemleak: not scanned: $line"
	done < "$KVMI_STATE/kmemleak-unscanned"
	[ "$st" != 0 ] || st=96
fi
finish "$st"
