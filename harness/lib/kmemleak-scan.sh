#!/bin/sh
# kmemleak-scan.sh TAG: judge what a test left in this kernel (L1's, run by
# l1-stage2.sh; an L2 VM's, fed to its shell by kvmi-vm exec -i). POSIX sh,
# for L2's busybox too.
#
# kmemleak judges only objects older than 5 s (MSECS_MIN_AGE), so the last
# allocations wait that long; two scans, as its documentation advises. Each
# unreferenced object goes to the console with its backtrace (the kernel's
# own line is KERN_INFO, under the console's loglevel: TAG says it), where
# the runner's watchdog makes it the verdict.
# Exit status: 0 clean, 1 objects found, 2 could not scan, 3 no kmemleak in
# this kernel.
k=/sys/kernel/debug/kmemleak
[ -w $k ] || { echo "no kmemleak in $(uname -r)"; exit 3; }
sleep 5
if ! { echo scan > $k && echo scan > $k; }; then
	echo "$1: kmemleak: scan failed" > /dev/console
	echo "scan failed"
	exit 2
fi
n=$(grep -c '^unreferenced object' $k)
case $n in
'' | *[!0-9]*)
	echo "$1: kmemleak: cannot read $k" > /dev/console
	echo "cannot read $k"
	exit 2
	;;
esac
if [ "$n" != 0 ]; then
	echo "$1: kmemleak: $n new suspected memory leaks at the end of the test" > /dev/console
	cat $k > /dev/console
	# What the caller waits for before anything powers this kernel off.
	echo "$1: kmemleak: end of report" > /dev/console
fi
echo "$n unreferenced object(s)"
[ "$n" = 0 ]
