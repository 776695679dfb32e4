// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-pattern: write and check the target's known pattern, and run or watch
 * its live counter. Static, so it runs in L1 and in the L2 initramfs.
 *
 *   gen FILE GPA SIZE                   pattern for [GPA, GPA+SIZE) into FILE
 *   check FILE OFFSET GPA SIZE          FILE at OFFSET holds GPA's pattern
 *   counter FILE OFFSET                 print the counter
 *   counter-wait FILE OFFSET TIMEOUT_MS wait until the counter moves
 *   count GPA [PERIOD_MS]               (target) bump the counter at GPA
 *                                       through /dev/mem, forever
 */
#define _GNU_SOURCE
#include "pattern.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint64_t num(const char *s)
{
	return arg_u64("kvmi-pattern", s);
}

static int gen(const char *file, uint64_t gpa, uint64_t size)
{
	uint64_t *buf;
	int ret;

	if (gpa % 8 || size % 8 || size > (1ULL << 30)) {
		fprintf(stderr, "kvmi-pattern: gpa and size must be 8-byte multiples\n");
		return 2;
	}
	buf = xmalloc(size);
	for (uint64_t i = 0; i < size / 8; i++)
		buf[i] = kvmi_pattern_word(gpa + i * 8);
	ret = write_file(file, buf, size);
	free(buf);
	if (ret) {
		fprintf(stderr, "kvmi-pattern: %s: %s\n", file, strerror(-ret));
		return 1;
	}
	return 0;
}

static int check(const char *file, uint64_t off, uint64_t gpa, uint64_t size)
{
	int fd = open(file, O_RDONLY);
	uint64_t *buf = xmalloc(size + 8);
	ssize_t r;

	if (fd < 0 || gpa % 8 || size % 8) {
		fprintf(stderr, "kvmi-pattern: %s: %s\n", file,
			fd < 0 ? strerror(errno) : "unaligned");
		return 2;
	}
	r = pread(fd, buf, size, off);
	close(fd);
	if (r != (ssize_t)size) {
		fprintf(stderr, "kvmi-pattern: %s: short read at 0x%" PRIx64 "\n",
			file, off);
		return 1;
	}
	for (uint64_t i = 0; i < size / 8; i++) {
		uint64_t want = kvmi_pattern_word(gpa + i * 8);

		if (buf[i] != want) {
			printf("pattern mismatch at gpa 0x%" PRIx64 ": 0x%016" PRIx64
			       ", want 0x%016" PRIx64 "\n", gpa + i * 8, buf[i], want);
			free(buf);
			return 1;
		}
	}
	printf("pattern ok: 0x%" PRIx64 " bytes at gpa 0x%" PRIx64 "\n", size, gpa);
	free(buf);
	return 0;
}

static int read_counter(const char *file, uint64_t off, uint64_t *v)
{
	int fd = open(file, O_RDONLY);
	ssize_t r = fd < 0 ? -1 : pread(fd, v, sizeof(*v), off);

	if (fd >= 0)
		close(fd);
	if (r != sizeof(*v)) {
		fprintf(stderr, "kvmi-pattern: cannot read %s at 0x%" PRIx64 "\n",
			file, off);
		return -1;
	}
	return 0;
}

static int counter_wait(const char *file, uint64_t off, uint64_t timeout_ms)
{
	int64_t t0 = now_ms();
	uint64_t a, b;

	if (read_counter(file, off, &a))
		return 2;
	do {
		struct timespec ts = { 0, 5000000 };

		nanosleep(&ts, NULL);
		if (read_counter(file, off, &b))
			return 2;
		if (b != a) {
			printf("counter moved: %" PRIu64 " -> %" PRIu64 " in %" PRId64 " ms\n",
			       a, b, now_ms() - t0);
			return 0;
		}
	} while (now_ms() - t0 < (int64_t)timeout_ms);
	printf("counter stuck at %" PRIu64 " for %" PRIu64 " ms\n", a, timeout_ms);
	return 1;
}

static int count(uint64_t gpa, uint64_t period_ms)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = open("/dev/mem", O_RDWR | O_SYNC);
	char *map;
	volatile uint64_t *ctr;
	struct timespec ts = { period_ms / 1000, (period_ms % 1000) * 1000000 };

	if (fd < 0) {
		perror("kvmi-pattern: /dev/mem");
		return 1;
	}
	map = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, gpa & ~(pg - 1));
	if (map == MAP_FAILED) {
		perror("kvmi-pattern: mmap /dev/mem");
		return 1;
	}
	ctr = (volatile uint64_t *)(map + (gpa & (pg - 1)));
	fprintf(stderr, "kvmi-pattern: counting at gpa 0x%" PRIx64 "\n", gpa);
	for (;;) {
		(*ctr)++;
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	uint64_t v;

	if (!strcmp(cmd, "gen") && argc == 5)
		return gen(argv[2], num(argv[3]), num(argv[4]));
	if (!strcmp(cmd, "check") && argc == 6)
		return check(argv[2], num(argv[3]), num(argv[4]), num(argv[5]));
	if (!strcmp(cmd, "counter") && argc == 4) {
		if (read_counter(argv[2], num(argv[3]), &v))
			return 2;
		printf("%" PRIu64 "\n", v);
		return 0;
	}
	if (!strcmp(cmd, "counter-wait") && argc == 5)
		return counter_wait(argv[2], num(argv[3]), num(argv[4]));
	if (!strcmp(cmd, "count") && (argc == 3 || argc == 4))
		return count(num(argv[2]), argc == 4 ? num(argv[3]) : 10);
	fprintf(stderr,
		"usage: kvmi-pattern gen FILE GPA SIZE\n"
		"       kvmi-pattern check FILE OFFSET GPA SIZE\n"
		"       kvmi-pattern counter FILE OFFSET\n"
		"       kvmi-pattern counter-wait FILE OFFSET TIMEOUT_MS\n"
		"       kvmi-pattern count GPA [PERIOD_MS]\n");
	return 2;
}
