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
 *                                       OFFSET (4080 straddles two pages,
 *                                       8176 two physically apart)
 *   kvmi-hc gpa N                       page N's gpa
 *   kvmi-hc check N GPA                 page N holds the pattern of target GPA
 *   kvmi-hc zero N                      page N reads as zeros
 *   kvmi-hc peek N OFFSET               the u64 at OFFSET in page N
 *   kvmi-hc poke N OFFSET VALUE         write a u64
 *   kvmi-hc counter-wait N OFFSET MS    the u64 at OFFSET moves within MS
 *   kvmi-hc bench N GPA ITERATIONS      time null / map / unmap hypercalls in
 *                                       the guest kernel; prints JSON
 *   kvmi-hc race N GPA SECS             three vCPUs race on page N until the
 *                                       placed token dies (see race())
 */
#define _GNU_SOURCE
#include <uapi/kvmi.h>
#include "cli.h"
#include "kvmi_hctest.h"
#include "latency.h"
#include "pattern.h"
#include "util.h"

#include <cpuid.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
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
	printf("ret=%s\n", hc_ret_name(c.ret));
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

static int bench(uint32_t page, uint64_t gpa, uint32_t n)
{
	uint64_t *null_ns = xmalloc(n * 8), *map_ns = xmalloc(n * 8);
	uint64_t *unmap_ns = xmalloc(n * 8), nul, map, unmap;
	json_object *o;
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
	o = json_object_new_object();
	json_object_object_add(o, "iterations", json_object_new_int64(n));
	json_object_object_add(o, "null", latency_json(null_ns, n, &nul));
	json_object_object_add(o, "map", latency_json(map_ns, n, &map));
	json_object_object_add(o, "unmap", latency_json(unmap_ns, n, &unmap));
	json_object_object_add(o, "map_over_null",
			       json_object_new_double((double)map / nul));
	json_object_object_add(o, "unmap_over_null",
			       json_object_new_double((double)unmap / nul));
	json_print(o);
	json_object_put(o);
	free(null_ns);
	free(map_ns);
	free(unmap_ns);
	return 0;
}

/*
 * The race of review finding D1, from three vCPUs of this VM at once:
 * - the mapper maps target GPA onto page N with the placed token whenever
 *   the page is unmapped, until the token dies (its TTL, or revoked from L1);
 * - the unmapper unmaps page N, again and again;
 * - the tidier presents a forged token (page N + 1's zeros), which takes the
 *   host's token lock and runs its expiry sweep: an expiring token dies
 *   there, possibly while the mapper is inside its map.
 * A map that succeeded as its token died leaves the unmapper to drop the
 * last reference of the token's target. Prints the counts; 0 once the
 * token died, 1 if SECS passed first.
 */
struct racer {
	pthread_t thread;
	int cpu;
	bool mapper;			/* maps with the placed token */
	struct kvmi_hctest_call c;
	uint64_t calls, ok, other;
	int64_t last;
};

static atomic_bool race_over;
/* Successful maps and unmaps of the page: it is mapped while they differ. */
static atomic_ulong race_maps, race_unmaps;

static bool token_dead(int64_t ret)
{
	return ret == -EKEYEXPIRED || ret == -EKEYREVOKED;
}

static void *racer_run(void *arg)
{
	struct racer *r = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);	/* best effort */
	while (!atomic_load(&race_over)) {
		struct kvmi_hctest_call c = r->c;

		/*
		 * The mapper maps only an unmapped page: each of its calls is a
		 * whole map, so its own token check rarely gets to sweep the
		 * token away; the tidier's does, mid-map.
		 */
		if (r->mapper && atomic_load(&race_maps) != atomic_load(&race_unmaps)) {
			sched_yield();
			continue;
		}
		if (ioctl(dev(), KVMI_HCTEST_CALL, &c)) {
			r->last = -errno;
			atomic_store(&race_over, true);
			break;
		}
		r->calls++;
		if (!c.ret) {
			r->ok++;
			atomic_fetch_add(r->mapper ? &race_maps : &race_unmaps, 1);
		} else if (c.ret != -EALREADY && c.ret != -ENOENT && c.ret != -EACCES &&
			   !token_dead(c.ret)) {
			r->other++;
		}
		r->last = c.ret;
		/* The mapper ends the race when its token has died. */
		if (r->mapper && token_dead(c.ret))
			atomic_store(&race_over, true);
	}
	return NULL;
}

static int race(uint32_t page, uint64_t gpa, uint64_t secs)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct racer r[3] = {
		{ .mapper = true,
		  .c = { .nr = KVM_HC_MEM_MAP, .args = { 0, gpa, page },
			 .flags = KVMI_HCTEST_A0_TOKEN | KVMI_HCTEST_A2_PAGE } },
		{ .c = { .nr = KVM_HC_MEM_UNMAP, .args = { page },
			 .flags = KVMI_HCTEST_A0_PAGE } },
		{ .c = { .nr = KVM_HC_MEM_MAP, .args = { page + 1, gpa, page + 1 },
			 .flags = KVMI_HCTEST_A0_PAGE_VA | KVMI_HCTEST_A2_PAGE } },
	};
	static const char *const names[] = { "mapper", "unmapper", "tidier" };
	int64_t end = now_ms() + (int64_t)secs * 1000;
	bool died;

	if (page + 1 >= KVMI_HCTEST_NR_PAGES) {
		fprintf(stderr, "kvmi-hc: race: page %u: N and N + 1 must be pages\n", page);
		return 2;
	}
	atomic_store(&race_over, false);
	atomic_store(&race_maps, 0);
	atomic_store(&race_unmaps, 0);
	for (int i = 0; i < 3; i++) {
		r[i].cpu = i % (ncpu > 0 ? ncpu : 1);
		if (pthread_create(&r[i].thread, NULL, racer_run, &r[i])) {
			perror("kvmi-hc: race");
			exit(1);
		}
	}
	while (!atomic_load(&race_over) && now_ms() < end) {
		struct timespec ts = { 0, 10000000 };

		nanosleep(&ts, NULL);
	}
	atomic_store(&race_over, true);
	for (int i = 0; i < 3; i++)
		pthread_join(r[i].thread, NULL);
	died = token_dead(r[0].last);
	for (int i = 0; i < 3; i++)
		printf("%s (cpu %d of %ld): %" PRIu64 " calls, %" PRIu64 " ok, %" PRIu64
		       " unexpected, last %s\n", names[i], r[i].cpu, ncpu, r[i].calls,
		       r[i].ok, r[i].other, hc_ret_name(r[i].last));
	printf("token %s\n", died ? "died during the race" : "still live at the end");
	/* The last unmap: page N is left as it was found. */
	ioctl(dev(), KVMI_HCTEST_CALL, &r[1].c);
	return died && !r[0].other && !r[1].other && !r[2].other ? 0 : 1;
}

static int cmd_token(int argc, char **argv)
{
	return token(argv[1], argc == 3 ? num(argv[2]) : 0);
}

static int cmd_gpa(int argc, char **argv)
{
	uint64_t v;

	(void)argc;
	return printf("0x%" PRIx64 "\n", page_io(num(argv[1]), 0, &v, 0, 0)) < 0;
}

static int cmd_check(int argc, char **argv)
{
	(void)argc;
	return check(num(argv[1]), num(argv[2]));
}

static int cmd_zero(int argc, char **argv)
{
	(void)argc;
	return zero(num(argv[1]));
}

static int cmd_peek(int argc, char **argv)
{
	uint64_t v;

	(void)argc;
	page_io(num(argv[1]), num(argv[2]), &v, 8, 0);
	return printf("%" PRIu64 "\n", v) < 0;
}

static int cmd_poke(int argc, char **argv)
{
	uint64_t v = num(argv[3]);

	(void)argc;
	page_io(num(argv[1]), num(argv[2]), &v, 8, 1);
	return 0;
}

static int cmd_counter_wait(int argc, char **argv)
{
	(void)argc;
	return counter_wait(num(argv[1]), num(argv[2]), num(argv[3]));
}

static int cmd_bench(int argc, char **argv)
{
	(void)argc;
	return bench(num(argv[1]), num(argv[2]), num(argv[3]));
}

static int cmd_race(int argc, char **argv)
{
	(void)argc;
	return race(num(argv[1]), num(argv[2]), num(argv[3]));
}

static const struct cli_cmd cmds[] = {
	{ "token", "FILE [OFFSET]",
	  "place the 32-byte token in FILE at OFFSET of the device's buffer (4080 straddles two physically contiguous pages, 8176 two that are not)",
	  cmd_token, 1, 2 },
	{ "gpa", "N", "page N's gpa", cmd_gpa, 1, 1 },
	{ "check", "N GPA", "page N holds the pattern of target GPA", cmd_check, 2, 2 },
	{ "zero", "N", "page N reads as zeros", cmd_zero, 1, 1 },
	{ "peek", "N OFFSET", "the u64 at OFFSET in page N", cmd_peek, 2, 2 },
	{ "poke", "N OFFSET VALUE", "write a u64 there", cmd_poke, 3, 3 },
	{ "counter-wait", "N OFFSET MS", "the u64 at OFFSET moves within MS",
	  cmd_counter_wait, 3, 3 },
	{ "bench", "N GPA ITERATIONS",
	  "time null / map / unmap hypercalls in the guest kernel; prints JSON",
	  cmd_bench, 3, 3 },
	{ "race", "N GPA SECS",
	  "three vCPUs race map, unmap and a forged token's expiry sweep on page N until the placed token dies",
	  cmd_race, 3, 3 },
	{ NULL }
};

static const struct cli cli = {
	.prog = "kvmi-hc",
	.summary = "raw hypercalls and page checks through /dev/kvmi_hctest, in L2",
	.footer = "or: kvmi-hc [-n REPEAT] [-u] NR [ARG...]\n"
		   "      one hypercall (REPEAT times) from the guest kernel, or with -u\n"
		   "      from user mode (CPL 3); prints \"ret=\" and its return value by\n"
		   "      name (0, -EFAULT, -KVM_ENOSYS, ...). ARG is a number, \"token\"\n"
		   "      (a0: the token's gva) or \"page:N\" (a0/a2: page N's gpa).\n",
	.cmds = cmds,
};

int main(int argc, char **argv)
{
	/* A hypercall number or an option first: the raw form. */
	if (argc > 1 && (isdigit((unsigned char)argv[1][0]) ||
			 (argv[1][0] == '-' && strcmp(argv[1], "-h") &&
			  strcmp(argv[1], "--help") && strcmp(argv[1], "--version")))) {
		int ret = call(argc, argv);

		if (ret == 2)
			fputs(cli.footer, stderr);
		return ret;
	}
	return cli_dispatch(&cli, argc - 1, argv + 1);
}
