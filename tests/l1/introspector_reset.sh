#!/bin/bash
# Review D2: the introspector's kernel goes away with maps live, while its
# VM and QEMU stay: a QMP system_reset (no -no-reboot for it: set-action),
# then a kexec into a fresh kernel. After each, no page of the new kernel
# aliases the target: the host holds no map of the introspector, its QEMU
# maps no page of the target's RAM file, the target's pattern is intact
# byte for byte, and the new kernel maps through /dev/kvmmem again.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"

pair_up || ktap_done
BASE=$(kvmi-ctl stat live_maps)
P=$PATTERN_GPA C=$COUNTER_GPA

# Pages of the target's RAM file (its inode) that the introspector's QEMU maps.
TARGET_INO=$(inode_of "$TARGET_RAM")
target_pages() {
	local range ino n=0
	while read -r range _ _ _ ino _; do
		[ "$ino" = "$TARGET_INO" ] &&
			n=$((n + (0x${range#*-} - 0x${range%-*}) / 4096))
	done < "/proc/$I/maps"
	echo "$n"
}
live_is() { [ "$(kvmi-ctl stat live_maps)" = "$1" ]; }
boot_id() { kvmi-vm exec introspector -t 10 cat /proc/sys/kernel/random/boot_id 2> /dev/null; }
# A kernel other than OLD is up, its agent answers and /dev/kvmmem is bound.
new_kernel_up() {
	local id
	id=$(boot_id) && [ -n "$id" ] && [ "$id" != "$1" ] &&
		kvmi-vm exec introspector -t 10 'test -c /dev/kvmmem' 2> /dev/null
}

# hold_maps: a process keeps 3 maps through /dev/kvmmem, and the test
# device one raw map; 4 live maps in all. The token goes in first: /run
# and the test device are new in each kernel.
hold_maps() {
	put_token "$STATE/tok" || return 1
	kvmi-vm exec introspector "setsid kvmi-mem map $P map $((P + 4096)) map $C sleep 100000 \
		> /run/hold.out 2>&1 < /dev/null &
		kvmi-hc 32 token $P page:0" > /dev/null
	wait_for 60 live_is $((BASE + 4))
}

# upload SRC DST: a file into the introspector, in frames the control
# channel takes (1 MiB at most), checked by its MD5.
upload() {
	local src=$1 dst=$2 size off=0 chunk=$((512 << 10))
	size=$(stat -c %s "$src")
	kvmi-vm exec introspector ": > $dst" || return 1
	while [ "$off" -lt "$size" ]; do
		dd if="$src" bs="$chunk" skip=$((off / chunk)) count=1 status=none |
			kvmi-vm exec introspector -i "cat >> $dst" || return 1
		off=$((off + chunk))
	done
	[ "$(kvmi-vm exec introspector "md5sum < $dst")" = "$(md5sum < "$src")" ]
}

# after_reboot WHAT OLD_BOOT_ID: the checks once the new kernel is up.
after_reboot() {
	local what=$1 old=$2 out
	check "$what: a new kernel boots in the same VM and binds the window" \
		wait_for 300 new_kernel_up "$old"
	diag "$(kvmi-vm exec introspector "dmesg | grep -E 'kvmmem.*mapping window|kvmi_hctest'")"
	check "$what: the host holds no map of the introspector" live_is "$BASE"
	check "$what: its QEMU maps no page of the target's RAM (maps $(target_pages))" \
		test "$(target_pages)" = 0
	check "$what: the target's pattern is intact" \
		kvmi-pattern check "$TARGET_RAM" "$PATTERN_GPA" "$PATTERN_GPA" "$PATTERN_SIZE"
	put_token "$STATE/tok"
	out=$(kvmi-vm exec introspector "kvmi-mem map $P dump $P 32 unmap $P")
	diag "$out"
	check "$what: the new kernel maps the target's pattern through /dev/kvmmem" \
		grep -q '^08000000: 0000 0001 494d 564b 0100 0001 494d 564b  ....IMVK....IMVK$' <<< "$out"
	check "$what: no map left" live_is "$BASE"
}

progress "system_reset with 4 maps live"
check "4 maps live (3 through /dev/kvmmem, 1 raw)" hold_maps
check "the introspector's QEMU maps 4 target pages" test "$(target_pages)" = 4
old=$(boot_id)
check "QEMU resets on reboot from now on (QMP set-action)" \
	kvmi-vm qmp introspector set-action '{"reboot": "reset"}'
check "QMP system_reset of the introspector" kvmi-vm reset introspector
after_reboot "reset" "$old"
# The reset ran no code of the old kernel: the new one ended the maps,
# the raw one on loading the test device, the 3 others on binding.
check "reset: binding the window ended the 3 maps of the old kernel" \
	kvmi-vm exec introspector "dmesg | grep -q 'kvmmem.*; 3 earlier maps ended'"

progress "kexec with 4 maps live"
check "4 maps live again" hold_maps
# L2's kernel and image: Debian's (/boot), or the L2 debug kernel's
# (kvmi-run --l2-kernel ROOT: ROOT/boot, its own initramfs).
upload_boot() {
	upload "${KVMI_L2_KROOT:-}/boot/vmlinuz-$KVMI_L2_ABI" /run/vmlinuz &&
		upload "$KVMI_L2_KBUILD/initramfs/introspector.cpio.gz" /run/initrd
}
# No kexec without them: the checks after it would only wait out their bounds.
if check "the kernel and initrd reach the introspector" upload_boot; then
	old=$(boot_id)
	kvmi-vm exec introspector "setsid kvmi-kexec /run/vmlinuz /run/initrd > /dev/console 2>&1 < /dev/null &"
	after_reboot "kexec" "$old"
	# kexec shuts devices down first: the driver's shutdown ended its 3 maps.
	check "kexec: the old kernel's shutdown ended the maps (the new one found none)" \
		kvmi-vm exec introspector "dmesg | grep -q 'kvmmem.*; 0 earlier maps ended'"
fi
kvmi-vm stop introspector >&2
kvmi-vm stop target >&2
ktap_done
