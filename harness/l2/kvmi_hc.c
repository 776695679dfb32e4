// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-hc: raw hypercalls and page checks through /dev/kvmi_hctest, inside
 * the introspector. Static, for the L2 initramfs.
 *
 *   kvmi-hc [-n REPEAT] [-u] NR [ARG...]  hypercall; prints "ret=N". ARG is
 *                                       a number, "token" (a0: the token's
 *                                       gva) or "page:N" (a0/a2: page N's
 *                                       gpa). -u: from user mode (CPL 3).
 *   kvmi-hc token FILE [OFFSET]         place the 32-byte token in FILE at
 *                                       OFFSET (4080 straddles two pages)
 *   kvmi-hc gpa N                       page N's gpa
 *   kvmi-hc check N GPA                 page N holds the pattern of target GPA
 *   kvmi-hc zero N                      page N reads as zeros
 *   kvmi-hc peek N OFFSET               the u64 at OFFSET in page N
 *   kvmi-hc poke N OFFSET VALUE         write a u64
 *   kvmi-hc counter-wait N OFFSET MS    the u64 at OFFSET moves within MS
 *   kvmi-hc bench N GPA ITERATIONS      time null / map / unmap hypercalls in
 *                                       the guest kernel; prints JSON
 */
#define _GNU_SOURCE
#include "kvmi_hctest.h"
#include "pattern.h"
#include "util.h"

#include <cpuid.h>
#include <stdbool.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

/* The device, opened once. */
static int dev(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open("/dev/kvmi_hctest", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("kvmi-hc: /dev/kvmi_hctest (is kvmi_hctest.ko loaded?)");
		exit(1);
	}
	return fd;
}

static uint64_t num(const char *s)
{
	return arg_u64("kvmi-hc", s);
}

static uint64_t page_io(uint32_t page, uint32_t off, void *buf, uint32_t len,
			int write)
{
	struct kvmi_hctest_page_io io = {
		.page = page, .offset = off, .len = len, .write = write,
		.buf = (uintptr_t)buf,
	};

	if (ioctl(dev(), KVMI_HCTEST_PAGE_IO, &io)) {
		perror("kvmi-hc: page io");
		exit(1);
	}
	return io.gpa;
}

/* vmmcall on AMD, vmcall on Intel, straight from user mode. */
static int64_t user_hypercall(uint64_t nr, const __u64 *a)
{
	unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
	int64_t ret;

	__get_cpuid(0, &eax, &ebx, &ecx, &edx);
	if (ebx == 0x68747541)	/* "Auth"enticAMD */
		__asm__ __volatile__("vmmcall" : "=a"(ret)
				     : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3])
				     : "memory");
	else
		__asm__ __volatile__("vmcall" : "=a"(ret)
				     : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3])
				     : "memory");
	return ret;
}

static int call(int argc, char **argv)
{
	struct kvmi_hctest_call c = { 0 };
	bool user = false;
	int opt;

	while ((opt = getopt(argc, argv, "+n:u")) != -1) {
		if (opt == 'n')
			c.repeat = num(optarg);
		else if (opt == 'u')
			user = true;
		else
			return 2;
	}
	if (optind >= argc || argc - optind > 5)
		return 2;
	c.nr = num(argv[optind]);
	for (int i = 0; optind + 1 + i < argc; i++) {
		const char *a = argv[optind + 1 + i];

		if (!strcmp(a, "token") && i == 0) {
			c.flags |= KVMI_HCTEST_A0_TOKEN;
		} else if (!strncmp(a, "page:", 5) && (i == 0 || i == 2)) {
			c.flags |= i == 0 ? KVMI_HCTEST_A0_PAGE : KVMI_HCTEST_A2_PAGE;
			c.args[i] = num(a + 5);
		} else {
			c.args[i] = num(a);
		}
	}
	if (user) {
		if (c.flags) {
			fprintf(stderr, "kvmi-hc: -u takes plain numbers\n");
			return 2;
		}
		c.ret = user_hypercall(c.nr, c.args);
	} else if (ioctl(dev(), KVMI_HCTEST_CALL, &c)) {
		perror("kvmi-hc: ioctl");
		return 1;
	}
	printf("ret=%" PRId64 "\n", (int64_t)c.ret);
	return 0;
}

static int token(const char *file, uint32_t off)
{
	struct kvmi_hctest_token t = { .offset = off };
	size_t len;
	char *s = read_file(file, &len);

	if (!s || len != sizeof(t.token)) {
		fprintf(stderr, "kvmi-hc: %s: want exactly 32 bytes\n", file);
		return 1;
	}
	memcpy(t.token, s, sizeof(t.token));
	free(s);
	if (ioctl(dev(), KVMI_HCTEST_SET_TOKEN, &t)) {
		perror("kvmi-hc: set token");
		return 1;
	}
	return 0;
}

static int check(uint32_t page, uint64_t gpa)
{
	uint64_t buf[PAGE / 8];

	page_io(page, 0, buf, PAGE, 0);
	for (int i = 0; i < PAGE / 8; i++) {
		if (buf[i] != kvmi_pattern_word(gpa + i * 8)) {
			printf("page %u: no pattern of gpa 0x%" PRIx64 " at +0x%x: 0x%016" PRIx64 "\n",
			       page, gpa, i * 8, buf[i]);
			return 1;
		}
	}
	printf("page %u holds the pattern of target gpa 0x%" PRIx64 "\n", page, gpa);
	return 0;
}

static int zero(uint32_t page)
{
	uint64_t buf[PAGE / 8];

	page_io(page, 0, buf, PAGE, 0);
	for (int i = 0; i < PAGE / 8; i++) {
		if (buf[i]) {
			printf("page %u: 0x%016" PRIx64 " at +0x%x\n", page, buf[i], i * 8);
			return 1;
		}
	}
	printf("page %u is all zeros\n", page);
	return 0;
}

static int counter_wait(uint32_t page, uint32_t off, uint64_t ms)
{
	int64_t t0 = now_ms();
	uint64_t a, b;

	page_io(page, off, &a, 8, 0);
	do {
		struct timespec ts = { 0, 5000000 };

		nanosleep(&ts, NULL);
		page_io(page, off, &b, 8, 0);
		if (b != a) {
			printf("counter moved: %" PRIu64 " -> %" PRIu64 "\n", a, b);
			return 0;
		}
	} while (now_ms() - t0 < (int64_t)ms);
	printf("counter stuck at %" PRIu64 "\n", a);
	return 1;
}

/* "name": {"median_ns": .., "p99_ns": .., "min_ns": .., "max_ns": ..} */
static uint64_t summary(const char *name, uint64_t *v, uint32_t n, bool last)
{
	uint64_t med;

	qsort(v, n, sizeof(*v), cmp_u64);
	med = v[n / 2];
	printf("  \"%s\": {\"median_ns\": %" PRIu64 ", \"p99_ns\": %" PRIu64
	       ", \"min_ns\": %" PRIu64 ", \"max_ns\": %" PRIu64 "}%s\n",
	       name, med, v[(uint64_t)n * 99 / 100], v[0], v[n - 1], last ? "" : ",");
	return med;
}

static int bench(uint32_t page, uint64_t gpa, uint32_t n)
{
	uint64_t *null_ns = xmalloc(n * 8), *map_ns = xmalloc(n * 8);
	uint64_t *unmap_ns = xmalloc(n * 8), nul, map, unmap;
	struct kvmi_hctest_bench b = {
		.target_gpa = gpa, .page = page, .iterations = n,
		.null_ns = (uintptr_t)null_ns, .map_ns = (uintptr_t)map_ns,
		.unmap_ns = (uintptr_t)unmap_ns,
	};

	if (!n || ioctl(dev(), KVMI_HCTEST_BENCH, &b)) {
		perror("kvmi-hc: bench");
		return 1;
	}
	if (b.ret) {
		fprintf(stderr, "kvmi-hc: bench: a hypercall returned %" PRId64 "\n",
			(int64_t)b.ret);
		return 1;
	}
	printf("{\n  \"iterations\": %u,\n", n);
	nul = summary("null", null_ns, n, false);
	map = summary("map", map_ns, n, false);
	unmap = summary("unmap", unmap_ns, n, false);
	printf("  \"map_over_null\": %.2f,\n  \"unmap_over_null\": %.2f\n}\n",
	       (double)map / nul, (double)unmap / nul);
	free(null_ns);
	free(map_ns);
	free(unmap_ns);
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	uint64_t v;
	int ret = 2;

	if (!strcmp(c, "token") && (argc == 3 || argc == 4))
		ret = token(argv[2], argc == 4 ? num(argv[3]) : 0);
	else if (!strcmp(c, "gpa") && argc == 3)
		ret = printf("0x%" PRIx64 "\n", page_io(num(argv[2]), 0, &v, 0, 0)) < 0;
	else if (!strcmp(c, "check") && argc == 4)
		ret = check(num(argv[2]), num(argv[3]));
	else if (!strcmp(c, "zero") && argc == 3)
		ret = zero(num(argv[2]));
	else if (!strcmp(c, "peek") && argc == 4) {
		page_io(num(argv[2]), num(argv[3]), &v, 8, 0);
		ret = printf("%" PRIu64 "\n", v) < 0;
	} else if (!strcmp(c, "poke") && argc == 5) {
		v = num(argv[4]);
		page_io(num(argv[2]), num(argv[3]), &v, 8, 1);
		ret = 0;
	} else if (!strcmp(c, "bench") && argc == 5)
		ret = bench(num(argv[2]), num(argv[3]), num(argv[4]));
	else if (!strcmp(c, "counter-wait") && argc == 5)
		ret = counter_wait(num(argv[2]), num(argv[3]), num(argv[4]));
	else if (argc > 1)
		ret = call(argc, argv);
	if (ret == 2)
		fprintf(stderr, "usage: see the comment at the top of harness/hc_tool.c\n"
			"  kvmi-hc [-n REPEAT] [-u] NR [ARG...] | token FILE [OFF] | gpa N |\n"
			"  check N GPA | zero N | peek N OFF | poke N OFF VAL | counter-wait N OFF MS\n");
	return ret;
}
