// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-pfnleak: drive /dev/kvmi_pfnleak (L1 test module) for the pfn-pairing
 * tracer's tests. Creates a VM with one page of guest memory at gfn 0, then
 *
 *   kvmi-pfnleak leak       gfn_to_pfn() and never release  (obtained, unreleased)
 *   kvmi-pfnleak balanced   gfn_to_pfn() + kvm_release_pfn_clean()
 *   kvmi-pfnleak orphan     kvm_release_pfn_clean() of a page KVM never obtained
 *
 * and prints "pfn=0x...".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "kvmi_pfnleak.h"

int main(int argc, char **argv)
{
	struct kvm_userspace_memory_region r = { 0 };
	struct kvmi_pfnleak req = { 0 };
	unsigned long cmd = KVMI_PFNLEAK_GET;
	int kvm, vm, dev;
	char *mem;

	if (argc != 2)
		goto usage;
	if (!strcmp(argv[1], "balanced"))
		req.release = 1;
	else if (!strcmp(argv[1], "orphan"))
		cmd = KVMI_PFNLEAK_ORPHAN;
	else if (strcmp(argv[1], "leak"))
		goto usage;
	dev = open("/dev/kvmi_pfnleak", O_RDWR);
	if (dev < 0) {
		perror("kvmi-pfnleak: /dev/kvmi_pfnleak (is kvmi_pfnleak.ko loaded?)");
		return 1;
	}
	kvm = open("/dev/kvm", O_RDWR);
	vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("kvmi-pfnleak: KVM_CREATE_VM");
		return 1;
	}
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("kvmi-pfnleak: mmap");
		return 1;
	}
	memset(mem, 0x5a, 4096);
	r.memory_size = 4096;
	r.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r)) {
		perror("kvmi-pfnleak: KVM_SET_USER_MEMORY_REGION");
		return 1;
	}
	req.vm_fd = vm;
	if (ioctl(dev, cmd, &req)) {
		perror("kvmi-pfnleak: ioctl");
		return 1;
	}
	printf("pfn=0x%" PRIx64 "\n", (uint64_t)req.pfn);
	return 0;
usage:
	fprintf(stderr, "usage: kvmi-pfnleak leak|balanced|orphan\n");
	return 2;
}
