// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-hc: issue a raw hypercall through /dev/kvmi_hctest (guest kernel,
 * CPL 0) and print what rax came back with. Static, for the L2 initramfs.
 *
 *   kvmi-hc [-n REPEAT] NR [A0 [A1 [A2 [A3]]]]
 */
#define _GNU_SOURCE
#include "../include/uapi/kvmi_hctest.h"
#include "util.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct kvmi_hctest_call call = { 0 };
	uint64_t v;
	int fd, c, i;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n' || parse_u64(optarg, &v))
			goto usage;
		call.repeat = v;
	}
	if (optind >= argc || argc - optind > 5)
		goto usage;
	if (parse_u64(argv[optind], &v))
		goto usage;
	call.nr = v;
	for (i = 0; optind + 1 + i < argc; i++) {
		if (parse_u64(argv[optind + 1 + i], &v))
			goto usage;
		call.args[i] = v;
	}
	fd = open("/dev/kvmi_hctest", O_RDWR);
	if (fd < 0) {
		perror("kvmi-hc: /dev/kvmi_hctest (is kvmi_hctest.ko loaded?)");
		return 1;
	}
	if (ioctl(fd, KVMI_HCTEST_CALL, &call)) {
		perror("kvmi-hc: ioctl");
		return 1;
	}
	printf("ret=%" PRId64 "\n", (int64_t)call.ret);
	close(fd);
	return 0;
usage:
	fprintf(stderr, "usage: kvmi-hc [-n REPEAT] NR [A0 [A1 [A2 [A3]]]]\n");
	return 2;
}
