#!/bin/busybox sh
# shellcheck shell=dash
# L2 init (target and introspector): load modules, start the target's
# counter if asked (kvmi.counter=GPA), then serve the control channel.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
while read -r m; do
	insmod "/lib/kvmi/mods/$m" || echo "kvmi-l2: insmod $m failed"
done < /lib/kvmi/mods/order
for m in /lib/kvmi/extra/*.ko; do
	[ -e "$m" ] && { insmod "$m" || echo "kvmi-l2: insmod $m failed"; }
done
# kmemleak (the L2 debug kernel): what boot left is not the test's.
[ ! -w /sys/kernel/debug/kmemleak ] || echo clear > /sys/kernel/debug/kmemleak
echo "kvmi-l2: userspace at $(cut -d' ' -f1 /proc/uptime)s"
read -r cmdline < /proc/cmdline
for a in $cmdline; do
	case "$a" in
	kvmi.counter=*) kvmi-pattern count "${a#*=}" 10 & ;;
	esac
done
exec /bin/kvmi-agent
