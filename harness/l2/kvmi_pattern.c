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
#include "cli.h"
#include "pattern.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

/*
 * pread(), or for a character device (/dev/mem) a copy through mmap():
 * /dev/mem's read() stops at the end of RAM, and a pc-dimm lies above it.
 */
static ssize_t read_at(int fd, void *buf, uint64_t size, uint64_t off)
{
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE), start = off & ~(pg - 1);
	struct stat st;
	void *map;

	if (fstat(fd, &st) || !S_ISCHR(st.st_mode))
		return pread(fd, buf, size, off);
	map = mmap(NULL, off - start + size, PROT_READ, MAP_SHARED, fd, start);
	if (map == MAP_FAILED)
		return -1;
	memcpy(buf, (char *)map + (off - start), size);
	munmap(map, off - start + size);
	return size;
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
	r = read_at(fd, buf, size, off);
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

static int cmd_gen(int argc, char **argv)
{
	(void)argc;
	return gen(argv[1], num(argv[2]), num(argv[3]));
}

static int cmd_check(int argc, char **argv)
{
	(void)argc;
	return check(argv[1], num(argv[2]), num(argv[3]), num(argv[4]));
}

static int cmd_counter(int argc, char **argv)
{
	uint64_t v;

	(void)argc;
	if (read_counter(argv[1], num(argv[2]), &v))
		return 2;
	printf("%" PRIu64 "\n", v);
	return 0;
}

static int cmd_counter_wait(int argc, char **argv)
{
	(void)argc;
	return counter_wait(argv[1], num(argv[2]), num(argv[3]));
}

static int cmd_count(int argc, char **argv)
{
	return count(num(argv[1]), argc == 3 ? num(argv[2]) : 10);
}

static const struct cli_cmd cmds[] = {
	{ "gen", "FILE GPA SIZE", "write the pattern for [GPA, GPA+SIZE) into FILE",
	  cmd_gen, 3, 3 },
	{ "check", "FILE OFFSET GPA SIZE", "FILE at OFFSET holds GPA's pattern",
	  cmd_check, 4, 4 },
	{ "counter", "FILE OFFSET", "print the counter at OFFSET of FILE",
	  cmd_counter, 2, 2 },
	{ "counter-wait", "FILE OFFSET TIMEOUT_MS", "wait until that counter moves",
	  cmd_counter_wait, 3, 3 },
	{ "count", "GPA [PERIOD_MS]",
	  "(in the target) bump the counter at GPA through /dev/mem, forever",
	  cmd_count, 1, 2 },
	{ NULL }
};

static const struct cli cli = {
	.prog = "kvmi-pattern",
	.summary = "the target's known pattern and its live counter",
	.footer = "The pattern: every 8-byte word at gpa g holds \"KVMI\" << 32 | g / 8.\n"
		  "Numbers may be hex (0x...).\n",
	.cmds = cmds,
};

int main(int argc, char **argv)
{
	return cli_dispatch(&cli, argc - 1, argv + 1);
}
