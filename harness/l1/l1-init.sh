#!/bin/busybox sh
# shellcheck shell=dash
# L1 first stage (initramfs): mount L0's / over 9p read-only under a tmpfs
# overlay, share results/, then continue in harness/l1/l1-stage2.sh.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "kvmi-l1: userspace at $(cut -d' ' -f1 /proc/uptime)s"

fail() {
	echo "kvmi-l1: FAIL: $*"
	poweroff -f
}

read -r cmdline < /proc/cmdline
for a in $cmdline; do
	case "$a" in
	kvmi.top=*) TOP=${a#*=} ;;
	kvmi.run=*) RUN=${a#*=} ;;
	esac
done
while read -r m; do
	insmod "/lib/kvmi/mods/$m" || fail "insmod $m"
done < /lib/kvmi/mods/order
mkdir -p /lower /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /lower ||
	fail "mount 9p root"
mount -t tmpfs -o mode=755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot ||
	fail "mount overlay"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results "/newroot$RUN" ||
	fail "mount results share"
for d in proc sys dev; do
	mount --move "/$d" "/newroot/$d"
done
exec chroot /newroot /bin/bash "$TOP/harness/l1/l1-stage2.sh"
