// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-kexec: boot another kernel now, by kexec, inside an L2 VM.
 *
 *   kvmi-kexec KERNEL INITRD [CMDLINE]
 *
 * Loads KERNEL and INITRD with kexec_file_load(2) (CMDLINE defaults to this
 * kernel's /proc/cmdline) and reboots into it (reboot(2), LINUX_REBOOT_CMD_
 * KEXEC): device shutdown runs, the VM and its QEMU stay. Returns only on
 * failure.
 */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_ro(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "kvmi-kexec: %s: %s\n", path, strerror(errno));
	return fd;
}

int main(int argc, char **argv)
{
	char *cmdline = argc > 3 ? strdup(argv[3]) : read_file("/proc/cmdline", NULL);
	int kfd, ifd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: kvmi-kexec KERNEL INITRD [CMDLINE]\n");
		return 2;
	}
	kfd = open_ro(argv[1]);
	ifd = open_ro(argv[2]);
	if (kfd < 0 || ifd < 0 || !cmdline)
		return 1;
	cmdline[strcspn(cmdline, "\n")] = 0;
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1, cmdline, 0UL)) {
		fprintf(stderr, "kvmi-kexec: kexec_file_load: %s\n", strerror(errno));
		return 1;
	}
	printf("kvmi-kexec: loaded %s, rebooting into it\n", argv[1]);
	fflush(stdout);
	sync();
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_KEXEC, NULL);
	fprintf(stderr, "kvmi-kexec: reboot: %s\n", strerror(errno));
	return 1;
}
