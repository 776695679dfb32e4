#!/bin/bash
# kernel_root TOP: the L0 half of make test KSRC=DIR, without booting.
# harness/l0/kernel-root on fake built trees: what it installs, when it
# installs again, the profile a debug kernel gets, and each tree it refuses,
# with the reason. Then kmod/host's copy of a tree's KVM (up to .patched,
# no compile) on Debian's real KVM sources: our patch applied to a pristine
# tree, left alone in a tree that has it, a tree it does not apply to
# refused by name, and the developer's own change in the copy.
top=$1
# shellcheck source=harness/lib/ktap.sh
. "$top/harness/lib/ktap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ktap_emit' EXIT
export KVMI_CACHE=$tmp/cache
kroot=$top/harness/l0/kernel-root

# A tree as make bzImage modules leaves it, as far as kernel-root looks;
# its Makefile's modules_install does what the kernel's does for a tree
# whose modules are all built in.
fake_tree() {
	local t=$1 rel=$2
	mkdir -p "$t/include/config" "$t/arch/x86/boot"
	echo "$rel" > "$t/include/config/kernel.release"
	printf '%s\n' CONFIG_X86_64=y CONFIG_KVM=m CONFIG_KVM_AMD=m CONFIG_DEBUG_INFO_BTF=y > "$t/.config"
	echo "image of $rel" > "$t/arch/x86/boot/bzImage"
	: > "$t/Module.symvers"
	: > "$t/vmlinux"
	# shellcheck disable=SC2016 # make's variables, not the shell's
	printf '%s\n' 'rel := $(shell cat include/config/kernel.release)' \
		'modules_install:' \
		'	mkdir -p $(INSTALL_MOD_PATH)/lib/modules/$(rel)/kernel' \
		'	ln -s $(CURDIR) $(INSTALL_MOD_PATH)/lib/modules/$(rel)/build' > "$t/Makefile"
}

t=$tmp/linux
fake_tree "$t" 6.1.99-dev
root=
installs() {
	local err
	root=$("$kroot" "$t" 2> "$tmp/err") || { cat "$tmp/err"; return 1; }
	err=$(cat "$tmp/err")
	echo "root $root; kernel-root said: ${err:-nothing}"
	case $root in "$KVMI_CACHE"/ksrc/*/root) ;; *) echo "not under the cache"; return 1 ;; esac
	cmp "$t/arch/x86/boot/bzImage" "$root/boot/vmlinuz-6.1.99-dev" &&
		cmp "$t/.config" "$root/boot/config-6.1.99-dev" &&
		[ "$(readlink "$root/lib/modules/6.1.99-dev/build")" = "$t" ] &&
		[ ! -e "$root/boot/kvmi-6.1.99-dev.json" ] &&
		[[ $err == *installed* ]]
}
check "a built 6.1.y tree is installed under the cache, with no profile" installs
again() {
	local err
	root=$("$kroot" "$t" 2> "$tmp/err") && err=$(cat "$tmp/err") &&
		echo "kernel-root said: ${err:-nothing}" && [ -z "$err" ]
}
check "the same tree again: nothing installed" again
rebuilt() {
	echo "image of 6.1.99-dev, rebuilt" > "$t/arch/x86/boot/bzImage"
	touch -d '+1 minute' "$t/arch/x86/boot/bzImage"
	root=$("$kroot" "$t" 2> /dev/null) &&
		cmp "$t/arch/x86/boot/bzImage" "$root/boot/vmlinuz-6.1.99-dev"
}
check "a rebuilt image is installed again" rebuilt
debug_profile() {
	local j
	echo CONFIG_KASAN=y >> "$t/.config"
	touch -d '+2 minutes' "$t/arch/x86/boot/bzImage"
	root=$("$kroot" "$t" 2> /dev/null) || return 1
	j=$root/boot/kvmi-6.1.99-dev.json
	cat "$j" || return 1
	jq -e '.timeout_scale == 4 and .vars.L1_MEM == "4096" and
		(.cmdline | contains("acpi=noirq") and contains("rcu_cpu_stall_timeout=100")) and
		(.cmdline | contains("no5lvl") | not)' "$j"
}
check "a KASAN kernel gets the debug kernel's profile" debug_profile
# KASAN's shadow bounds follow pgtable_l5_enabled(), which 6.1 leaves false
# for a moment of the boot (harness/l0/kernel-root).
debug_profile_l5() {
	echo CONFIG_X86_5LEVEL=y >> "$t/.config"
	touch -d '+3 minutes' "$t/arch/x86/boot/bzImage"
	root=$("$kroot" "$t" 2> /dev/null) || return 1
	jq -e '.cmdline | split(" ") | index("no5lvl") != null' \
		"$root/boot/kvmi-6.1.99-dev.json"
}
check "a KASAN kernel with 5-level paging boots with no5lvl" debug_profile_l5
explicit_root() {
	root=$("$kroot" "$t" "$tmp/elsewhere" 2> /dev/null) &&
		[ "$root" = "$tmp/elsewhere" ] && [ -e "$root/boot/vmlinuz-6.1.99-dev" ]
}
check "kernel-root TREE ROOT installs under ROOT" explicit_root

# refuses CASE WANT EDIT...: a fresh tree, EDIT run in it, must be refused
# with WANT in the message.
refuses() {
	local name=$1 want=$2 r out
	shift 2
	r=$tmp/bad-$KTAP_N
	fake_tree "$r" 6.1.99-dev
	(cd "$r" && eval "$*")
	# The message names the temporary tree: a diagnostic, not the
	# result's name, which must be the same in every run.
	out=$("$kroot" "$r" 2>&1) && { diag "installed: $out"; fail "refuses $name"; return; }
	diag "$out"
	if [[ $out == *"$want"* ]]; then
		pass "refuses $name"
	else
		diag "wanted \"$want\""
		fail "refuses $name"
	fi
}
refuses "an unconfigured tree" "no .config" rm .config
refuses "an unbuilt tree" "no arch/x86/boot/bzImage" rm arch/x86/boot/bzImage
refuses "a tree without its modules built" "no Module.symvers" rm Module.symvers
refuses "a 6.2 tree" "our kvm.ko is a 6.1 module" "echo 6.2.0 > include/config/kernel.release"
refuses "KVM built in" "wants CONFIG_KVM=m" "sed -i s/CONFIG_KVM=m/CONFIG_KVM=y/ .config"
refuses "no KVM_AMD" "wants CONFIG_KVM_AMD=m" "sed -i /CONFIG_KVM_AMD/d .config"
refuses "no BTF" "wants CONFIG_DEBUG_INFO_BTF=y" "sed -i /BTF/d .config"
refuses "no vmlinux" "no vmlinux" rm vmlinux
refuses "a 32-bit kernel" "not an x86_64 kernel" "sed -i /X86_64/d .config"
if out=$("$kroot" "$tmp/nowhere" 2>&1); then
	diag "installed: $out"
	fail "refuses a missing directory"
else
	diag "$out"
	pass "refuses a missing directory"
fi

# kmod/host's copy of a tree's KVM, on Debian's own sources.
kvm=$tmp/kvm
mkdir -p "$kvm/pristine"
tar -xf /usr/src/linux-source-6.1.tar.xz -C "$kvm/pristine" --strip-components=1 \
	linux-source-6.1/arch/x86/kvm linux-source-6.1/virt/kvm
patches=$top/kmod/host/patches
hooks=(kvmi_hc_mem_map kvmi_hc_mem_unmap_all kvmi_destroy_vm kvmi_init kvmi_exit)
# copy TREE: kmod/host's .patched from TREE into $kvm/b; its output in $kvm/out.
copy() {
	make -s -C "$top/kmod/host" B="$kvm/b" KVM_TREE="$1" "$kvm/b/.patched" > "$kvm/out" 2>&1
}
# hooked: each hook of our patch once in the copy's x86.c.
hooked() {
	local h n
	for h in "${hooks[@]}"; do
		n=$(grep -c "\b$h(" "$kvm/b/src/arch/x86/kvm/x86.c")
		[ "$n" = 1 ] || { echo "$h: $n time(s) in x86.c"; return 1; }
	done
}
pristine() {
	echo '/* the developer change */' >> "$kvm/pristine/arch/x86/kvm/mmu/mmu.c"
	copy "$kvm/pristine" || { cat "$kvm/out"; return 1; }
	hooked && grep -q 'the developer change' "$kvm/b/src/arch/x86/kvm/mmu/mmu.c" &&
		! grep -q 'in .* already' "$kvm/out" &&
		[ -z "$(find "$kvm/b/src" -name '*.o' -o -name 'kvm-asm-offsets.h')" ]
}
check "a pristine tree's KVM: copied with its own change, our patch applied" pristine
has_it() {
	cp -a "$kvm/pristine" "$kvm/patched"
	while read -r p; do
		patch -d "$kvm/patched" -p1 -s < "$patches/$p" || return 1
	done < <(grep -v '^#' "$patches/series")
	copy "$kvm/patched" || { cat "$kvm/out"; return 1; }
	cat "$kvm/out"
	hooked && grep -q 'in .* already' "$kvm/out"
}
check "a tree with our patch: left as it is" has_it
conflict() {
	cp -a "$kvm/pristine" "$kvm/other"
	sed -i 's/^void kvm_arch_pre_destroy_vm(struct kvm \*kvm)$/void kvm_arch_pre_destroy_vm(struct kvm *vm)/' \
		"$kvm/other/arch/x86/kvm/x86.c"
	if copy "$kvm/other"; then
		echo "the copy was made"
		return 1
	fi
	cat "$kvm/out"
	grep -q 'does not apply to the KVM of .*/other' "$kvm/out"
}
check "a tree our patch does not apply to: refused, by name" conflict
ktap_done
