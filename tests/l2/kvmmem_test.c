// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kvmmem tests, run inside the introspector (static, kselftest
 * harness). Each test maps into BUF_PAGES window pages of /dev/kvmmem and
 * ends by unmapping them and closing the device, then checks, in the guest,
 * that FOLL_PIN acquisitions equal releases and that the driver's objects
 * and window pages are back to zero; L1 checks the host counters between
 * tests.
 *
 *   kvmmem_test            run all tests
 *   kvmmem_test -l         list them (all but fail_nth_sweeps, run by name)
 *   kvmmem_test NAME       run one
 *
 * Environment: KVMMEM_TOKEN (token file, default /run/t), KVMI_PATTERN_GPA,
 * KVMI_COUNTER_GPA (target gpas, from vmconfigs/target.json).
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include <uapi/kvmi.h>
#include "pattern.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define BUF_PAGES 4096

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s ? strtoull(s, NULL, 0) : def;
}

/* Fold the per-CPU deltas first, or the counters can lag by a few. */
static void vmstat_refresh(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			perror("stat_refresh");
		close(fd);
	}
}

static uint64_t vmstat(const char *key)
{
	char name[64];
	unsigned long long v;
	uint64_t ret = UINT64_MAX;
	FILE *f = fopen("/proc/vmstat", "r");

	while (f && fscanf(f, "%63s %llu", name, &v) == 2)
		if (!strcmp(name, key))
			ret = v;
	if (f)
		fclose(f);
	return ret;
}

/* A counter from /sys/kernel/debug/kvmmem/stats. */
static long driver_stat(const char *key)
{
	char name[64];
	long v, ret = -1;
	FILE *f = fopen("/sys/kernel/debug/kvmmem/stats", "r");

	while (f && fscanf(f, "%63s %ld", name, &v) == 2)
		if (!strcmp(name, key))
			ret = v;
	if (f)
		fclose(f);
	return ret;
}

static bool holds_pattern(const volatile uint64_t *p, uint64_t gpa)
{
	for (unsigned long i = 0; i < PAGE / 8; i++)
		if (p[i] != kvmi_pattern_word(gpa + i * 8))
			return false;
	return true;
}

/* n pages of the mapping window, from /dev/kvmmem fd. */
static char *window(int fd, unsigned long n)
{
	return mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}

FIXTURE(kvmmem) {
	int fd;
	char *buf;
	struct kvmi_mem_map req;
	uint64_t pattern_gpa, counter_gpa;
};

FIXTURE_SETUP(kvmmem)
{
	const char *tokpath = getenv("KVMMEM_TOKEN") ?: "/run/t";
	int tfd = open(tokpath, O_RDONLY);

	ASSERT_LE(0, tfd) TH_LOG("token file %s: %s", tokpath, strerror(errno));
	ASSERT_EQ(sizeof(self->req.token),
		  read(tfd, &self->req.token, sizeof(self->req.token)));
	close(tfd);
	self->pattern_gpa = env_u64("KVMI_PATTERN_GPA", 0x8000000);
	self->counter_gpa = env_u64("KVMI_COUNTER_GPA", 0x8100000);
	self->fd = open("/dev/kvmmem", O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("/dev/kvmmem: %s", strerror(errno));
	self->buf = window(self->fd, BUF_PAGES);
	ASSERT_NE(MAP_FAILED, self->buf) TH_LOG("mmap: %s", strerror(errno));
}

FIXTURE_TEARDOWN(kvmmem)
{
	if (self->buf)
		munmap(self->buf, BUF_PAGES * PAGE);
	if (self->fd >= 0)
		close(self->fd);
	vmstat_refresh();
	EXPECT_EQ(vmstat("nr_foll_pin_acquired"), vmstat("nr_foll_pin_released"));
	EXPECT_EQ(0, driver_stat("map_objects"));
	EXPECT_EQ(0, driver_stat("areas"));
	EXPECT_EQ(0, driver_stat("window_used"));
	EXPECT_EQ(0, driver_stat("leaked_pages"));
}

static int map(int fd, struct kvmi_mem_map *req, void *gva, uint64_t gpa)
{
	req->gva = (uintptr_t)gva;
	req->gpa = gpa;
	return ioctl(fd, KVM_INTRO_MEM_MAP, req) ? -errno : 0;
}

static int unmap(int fd, void *gva)
{
	return ioctl(fd, KVM_INTRO_MEM_UNMAP, (unsigned long)gva) ? -errno : 0;
}

TEST_F(kvmmem, pattern_and_live_counter_then_gone)
{
	char *pat = self->buf, *ctr = self->buf + PAGE;
	volatile uint64_t *c = (volatile uint64_t *)ctr;
	uint64_t first;
	int i;

	ASSERT_EQ(0, map(self->fd, &self->req, pat, self->pattern_gpa));
	ASSERT_EQ(0, map(self->fd, &self->req, ctr, self->counter_gpa));
	EXPECT_TRUE(holds_pattern((uint64_t *)pat, self->pattern_gpa));
	first = *c;
	for (i = 0; i < 2000 && *c == first; i++)
		usleep(5000);
	EXPECT_NE(first, *c) TH_LOG("target counter stuck at %" PRIu64, first);
	TH_LOG("counter %" PRIu64 " -> %" PRIu64, first, *c);
	ASSERT_EQ(0, unmap(self->fd, pat));
	ASSERT_EQ(0, unmap(self->fd, ctr));
	EXPECT_FALSE(holds_pattern((uint64_t *)pat, self->pattern_gpa));
	first = *c;
	usleep(100000);
	EXPECT_EQ(first, *c) TH_LOG("the counter still moves after unmap");
}

TEST_F(kvmmem, unaligned_gva_is_einval)
{
	EXPECT_EQ(-EINVAL, map(self->fd, &self->req, self->buf + 8, self->pattern_gpa));
	EXPECT_EQ(-EINVAL, unmap(self->fd, self->buf + 8));
}

/* The gva must lie in a window mapping of this fd: not in a hole. */
TEST_F(kvmmem, unmapped_gva_is_einval)
{
	char *hole = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, PAGE));
	EXPECT_EQ(-EINVAL, map(self->fd, &self->req, hole, self->pattern_gpa));
	EXPECT_EQ(-EINVAL, map(self->fd, &self->req, NULL, self->pattern_gpa));
	EXPECT_EQ(-EINVAL, unmap(self->fd, hole));
}

/*
 * Review D10: the gva must lie in a window mapping; the process's RAM
 * (anonymous, shmem, a file's page cache) is refused, so none of it is
 * ever pinned or given the target's bytes.
 */
TEST_F(kvmmem, ram_pages_are_einval)
{
	char *anon = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	char *shm = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	int other = open("/dev/kvmmem", O_RDWR);

	ASSERT_NE(MAP_FAILED, anon);
	ASSERT_NE(MAP_FAILED, shm);
	ASSERT_LE(0, other);
	anon[0] = shm[0] = 0x42;
	EXPECT_EQ(-EINVAL, map(self->fd, &self->req, anon, self->pattern_gpa));
	EXPECT_EQ(-EINVAL, map(self->fd, &self->req, shm, self->pattern_gpa));
	/* Another fd's window mapping is that fd's. */
	EXPECT_EQ(-EINVAL, map(other, &self->req, self->buf, self->pattern_gpa));
	EXPECT_EQ(0x42, anon[0]);
	EXPECT_EQ(0x42, shm[0]);
	close(other);
	munmap(anon, PAGE);
	munmap(shm, PAGE);
}

/* Review D10: a map pins nothing in the guest (FOLL_PIN counts stay put). */
TEST_F(kvmmem, map_pins_nothing)
{
	uint64_t acquired;

	vmstat_refresh();
	acquired = vmstat("nr_foll_pin_acquired");
	ASSERT_EQ(0, map(self->fd, &self->req, self->buf, self->pattern_gpa));
	EXPECT_TRUE(holds_pattern((uint64_t *)self->buf, self->pattern_gpa));
	vmstat_refresh();
	EXPECT_EQ(acquired, vmstat("nr_foll_pin_acquired"));
	EXPECT_EQ(0, unmap(self->fd, self->buf));
}

/*
 * Unmap gives the window page back as it was: what the process wrote
 * there before the map, not the target's bytes. A fresh mapping's pages
 * are zeros, whatever an earlier one left there.
 */
TEST_F(kvmmem, unmap_gives_back_the_window_page)
{
	uint64_t *w = (uint64_t *)self->buf;
	unsigned long i;
	char *again;

	w[3] = 0xfeedface;
	ASSERT_EQ(0, map(self->fd, &self->req, self->buf, self->pattern_gpa));
	EXPECT_TRUE(holds_pattern(w, self->pattern_gpa));
	ASSERT_EQ(0, unmap(self->fd, self->buf));
	EXPECT_EQ(0xfeedface, w[3]);
	EXPECT_FALSE(holds_pattern(w, self->pattern_gpa));
	ASSERT_EQ(0, munmap(self->buf, BUF_PAGES * PAGE));
	again = window(self->fd, BUF_PAGES);
	self->buf = again == MAP_FAILED ? NULL : again;
	ASSERT_NE(NULL, self->buf);
	for (i = 0; i < BUF_PAGES * PAGE / 8; i++)
		ASSERT_EQ(0, ((uint64_t *)self->buf)[i]) TH_LOG("word %lu", i);
}

/*
 * A window mapping stays whole and stays in this process: no partial
 * munmap, no mremap, no copy into a fork()ed child.
 */
TEST_F(kvmmem, window_mapping_is_whole_and_not_inherited)
{
	int st;
	pid_t pid;

	ASSERT_EQ(0, map(self->fd, &self->req, self->buf + PAGE, self->pattern_gpa));
	EXPECT_EQ(-1, munmap(self->buf + PAGE, PAGE));
	EXPECT_EQ(MAP_FAILED, mremap(self->buf, BUF_PAGES * PAGE,
				     (BUF_PAGES + 1) * PAGE, MREMAP_MAYMOVE));
	EXPECT_EQ(MAP_FAILED, mremap(self->buf, BUF_PAGES * PAGE, BUF_PAGES * PAGE,
				     MREMAP_MAYMOVE | MREMAP_FIXED,
				     self->buf + BUF_PAGES * PAGE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		unsigned char vec;

		_exit(mincore(self->buf + PAGE, PAGE, &vec) ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st)) TH_LOG("the child has the window");
	EXPECT_TRUE(holds_pattern((uint64_t *)(self->buf + PAGE), self->pattern_gpa));
	EXPECT_EQ(0, unmap(self->fd, self->buf + PAGE));
}

TEST_F(kvmmem, other_mm_is_einval)
{
	int st;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)	/* the parent's fd, from another mm */
		_exit(map(self->fd, &self->req, self->buf, self->pattern_gpa) == -EINVAL &&
		      unmap(self->fd, self->buf) == -EINVAL ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST_F(kvmmem, double_map_is_ealready)
{
	ASSERT_EQ(0, map(self->fd, &self->req, self->buf, self->pattern_gpa));
	EXPECT_EQ(-EALREADY, map(self->fd, &self->req, self->buf, self->pattern_gpa));
	EXPECT_EQ(0, unmap(self->fd, self->buf));
}

TEST_F(kvmmem, unmap_never_mapped_is_enoent)
{
	EXPECT_EQ(-ENOENT, unmap(self->fd, self->buf));
	ASSERT_EQ(0, map(self->fd, &self->req, self->buf, self->pattern_gpa));
	EXPECT_EQ(0, unmap(self->fd, self->buf));
	EXPECT_EQ(-ENOENT, unmap(self->fd, self->buf));
}

TEST_F(kvmmem, refused_token_is_eacces)
{
	struct kvmi_mem_map forged = self->req;

	forged.token.token[0] ^= 1;
	EXPECT_EQ(-EACCES, map(self->fd, &forged, self->buf, self->pattern_gpa));
	EXPECT_EQ(-ENOENT, unmap(self->fd, self->buf));
}

TEST_F(kvmmem, bad_user_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, KVM_INTRO_MEM_MAP, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(kvmmem, unknown_ioctl_is_enotty)
{
	EXPECT_EQ(-1, ioctl(self->fd, _IO('i', 0x7f), 0));
	EXPECT_EQ(ENOTTY, errno);
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	while (f && (c = fgetc(f)) != EOF)
		n += c == '\n';
	if (f)
		fclose(f);
	return n;
}

/*
 * 4096 live maps: closing the fd leaves them (the window mapping holds the
 * file); munmap() of the window mapping unmaps them all.
 */
TEST_F_TIMEOUT(kvmmem, munmap_unmaps_4096, 600)
{
	uint64_t base = env_u64("KVMI_BULK_GPA", 0x1000000);

	for (int i = 0; i < BUF_PAGES; i++) {
		int r = map(self->fd, &self->req, self->buf + i * PAGE, base + i * PAGE);

		ASSERT_EQ(0, r) {
			TH_LOG("map %d: %s", i, strerror(-r));
		}
	}
	EXPECT_EQ(BUF_PAGES, count_lines("/sys/kernel/debug/kvmmem/mappings"));
	EXPECT_EQ(BUF_PAGES, driver_stat("map_objects"));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	EXPECT_EQ(BUF_PAGES, driver_stat("map_objects"));
	ASSERT_EQ(0, munmap(self->buf, BUF_PAGES * PAGE));
	self->buf = NULL;
	EXPECT_EQ(0, count_lines("/sys/kernel/debug/kvmmem/mappings"));
}

/* A process killed with live mappings: its exit unmaps them. */
TEST_F_TIMEOUT(kvmmem, kill_unmaps_all, 300)
{
	int p[2], st;
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open("/dev/kvmmem", O_RDWR);
		char *buf = fd < 0 ? MAP_FAILED : window(fd, 256);

		if (buf == MAP_FAILED)
			_exit(1);
		for (int i = 0; i < 256; i++)
			if (map(fd, &self->req, buf + i * PAGE,
				self->pattern_gpa + i * PAGE))
				_exit(1);
		if (write(p[1], "m", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1));
	EXPECT_EQ(256, count_lines("/sys/kernel/debug/kvmmem/mappings"));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(0, count_lines("/sys/kernel/debug/kvmmem/mappings"));
	close(p[0]);
}

struct worker {
	int fd, id, ops, bad;
	char *pages;
	struct kvmi_mem_map req;
	uint64_t pattern_gpa;
};

#define THREADS 8
#define THREAD_PAGES 16
#define THREAD_OPS 1250

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < THREAD_OPS; i++) {
		int j = i % THREAD_PAGES;
		char *gva = w->pages + j * PAGE;
		uint64_t gpa = w->pattern_gpa +
			       ((w->id * THREAD_PAGES + j + i / THREAD_PAGES) % 256) * PAGE;

		if (map(w->fd, &w->req, gva, gpa) ||
		    !holds_pattern((uint64_t *)gva, gpa) ||
		    unmap(w->fd, gva)) {
			w->bad++;
			continue;
		}
		w->ops++;
	}
	return NULL;
}

/* 8 threads map and unmap their own gvas concurrently; every page checked. */
TEST_F_TIMEOUT(kvmmem, threads_8_map_unmap, 900)
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	int ops = 0, bad = 0;

	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .fd = self->fd, .id = i, .req = self->req,
					.pages = self->buf + i * THREAD_PAGES * PAGE,
					.pattern_gpa = self->pattern_gpa };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, work, &w[i]));
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		ops += w[i].ops;
		bad += w[i].bad;
	}
	TH_LOG("%d map+check+unmap rounds, %d failed", ops, bad);
	EXPECT_EQ(THREADS * THREAD_OPS, ops);
	EXPECT_EQ(0, bad);
}

/*
 * ---- fail-nth: syzkaller's fault injection over the guest driver ----
 *
 * As kvmi_host_test's sweeps in L1 (Documentation/fault-injection): N
 * written to /proc/thread-self/fail-nth fails the N-th slab or page
 * allocation this thread reaches, once; reading it back gives 0 if it
 * fired. Each operation runs with N = 1, 2, 3, ... until it reaches no
 * N-th point and succeeds. After every injected run: the operation failed
 * with -ENOMEM or did all it says; the driver's counters and the FOLL_PIN
 * balance are at baseline; and the next run without a fault works (the
 * sweep's last). L1 checks the host's counters after the sweeps; kmemleak
 * (L2's debug kernel) and every kernel report are the job's and runner's.
 * Needs CONFIG_FAULT_INJECTION in L2: make test KERNEL=debug's L2 kernel.
 * Not run by default: kvmmem_test fail_nth_sweeps.
 */
#define FAILNTH_MAX 2000
#define SWEEP_PAGES 16

static int failnth_fd = -1;

static void failnth_arm(struct __test_metadata *_metadata, unsigned int n)
{
	char b[16];
	int l = snprintf(b, sizeof(b), "%u", n);

	ASSERT_EQ(l, pwrite(failnth_fd, b, l, 0)) TH_LOG("fail-nth: %s", strerror(errno));
}

/* Disarm; true if the armed fault point was reached and failed. */
static bool failnth_fired(struct __test_metadata *_metadata)
{
	char b[16] = "";

	EXPECT_LT(0, pread(failnth_fd, b, sizeof(b) - 1, 0));
	failnth_arm(_metadata, 0);
	return strtoul(b, NULL, 10) == 0;
}

struct sweep {
	const char *name;
	int points, enomem, absorbed;
	long base[4];
	uint64_t pins;
};

static const char *const sweep_stats[] = {
	"map_objects", "areas", "window_used", "leaked_pages",
};

static uint64_t pin_balance(void)
{
	vmstat_refresh();
	return vmstat("nr_foll_pin_acquired") - vmstat("nr_foll_pin_released");
}

static void sweep_baseline(struct __test_metadata *_metadata, struct sweep *sw,
			   unsigned int n, bool take)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(sweep_stats); i++) {
		if (take)
			sw->base[i] = driver_stat(sweep_stats[i]);
		else
			ASSERT_EQ(sw->base[i], driver_stat(sweep_stats[i]))
				TH_LOG("%s, fail-nth %u: %s", sw->name, n, sweep_stats[i]);
	}
	if (take)
		sw->pins = pin_balance();
	else
		ASSERT_EQ(sw->pins, pin_balance())
			TH_LOG("%s, fail-nth %u: FOLL_PIN balance", sw->name, n);
}

/* err: the operation's -errno or 0; true if it failed on the fault. */
static bool sweep_judge(struct __test_metadata *_metadata, struct sweep *sw,
			unsigned int n, int err, bool fired)
{
	if (err) {
		EXPECT_TRUE(fired) TH_LOG("%s failed with no fault injected: %s",
					  sw->name, strerror(-err));
		EXPECT_EQ(-ENOMEM, err) TH_LOG("%s, fail-nth %u: %s", sw->name, n,
					       strerror(-err));
		sw->enomem++;
		return true;
	}
	sw->absorbed += fired;
	return false;
}

typedef bool (*sweep_step)(struct __test_metadata *_metadata,
			   FIXTURE_DATA(kvmmem) *self, struct sweep *sw, unsigned int n);

/* open() and close() of /dev/kvmmem, under one fault. */
static bool open_step(struct __test_metadata *_metadata, FIXTURE_DATA(kvmmem) *self,
		      struct sweep *sw, unsigned int n)
{
	int fd, err;
	bool fired;

	(void)self;
	failnth_arm(_metadata, n);
	fd = open("/dev/kvmmem", O_RDWR);
	err = fd < 0 ? -errno : 0;
	if (fd >= 0)
		close(fd);
	fired = failnth_fired(_metadata);
	sweep_judge(_metadata, sw, n, err, fired);
	return fired;
}

/*
 * munmap(), armed or not: splitting the VMA tree may need memory (6.1's
 * maple tree preallocates), so -ENOMEM is a documented end; the mapping is
 * then still there, and unmapped without a fault.
 */
static void unmap_window(struct __test_metadata *_metadata, char *p)
{
	if (munmap(p, SWEEP_PAGES * PAGE)) {
		EXPECT_EQ(ENOMEM, errno);
		ASSERT_EQ(0, munmap(p, SWEEP_PAGES * PAGE)) TH_LOG("%s", strerror(errno));
	}
}

/* mmap() of window pages, then munmap(), under one fault. */
static bool mmap_step(struct __test_metadata *_metadata, FIXTURE_DATA(kvmmem) *self,
		      struct sweep *sw, unsigned int n)
{
	char *p;
	int err;
	bool fired;

	failnth_arm(_metadata, n);
	p = window(self->fd, SWEEP_PAGES);
	err = p == MAP_FAILED ? -errno : 0;
	if (p != MAP_FAILED && munmap(p, SWEEP_PAGES * PAGE)) {
		EXPECT_EQ(ENOMEM, errno);
		EXPECT_TRUE(failnth_fired(_metadata));
		unmap_window(_metadata, p);
		return true;
	}
	fired = failnth_fired(_metadata);
	sweep_judge(_metadata, sw, n, err, fired);
	return fired;
}

/* KVM_INTRO_MEM_MAP: on success the target's bytes are there; then unmapped. */
static bool map_step(struct __test_metadata *_metadata, FIXTURE_DATA(kvmmem) *self,
		     struct sweep *sw, unsigned int n)
{
	bool fired;
	int err;

	failnth_arm(_metadata, n);
	err = map(self->fd, &self->req, self->buf, self->pattern_gpa);
	fired = failnth_fired(_metadata);
	if (sweep_judge(_metadata, sw, n, err, fired))
		return true;
	EXPECT_TRUE(holds_pattern((uint64_t *)self->buf, self->pattern_gpa))
		TH_LOG("%s, fail-nth %u: mapped, but not the target's page", sw->name, n);
	ASSERT_EQ(0, unmap(self->fd, self->buf));
	return fired;
}

/* KVM_INTRO_MEM_UNMAP of a live map: a failed one leaves it, to unmap. */
static bool unmap_step(struct __test_metadata *_metadata, FIXTURE_DATA(kvmmem) *self,
		       struct sweep *sw, unsigned int n)
{
	bool fired;
	int err;

	ASSERT_EQ(0, map(self->fd, &self->req, self->buf, self->pattern_gpa));
	failnth_arm(_metadata, n);
	err = unmap(self->fd, self->buf);
	fired = failnth_fired(_metadata);
	if (sweep_judge(_metadata, sw, n, err, fired))
		ASSERT_EQ(0, unmap(self->fd, self->buf));
	EXPECT_FALSE(holds_pattern((uint64_t *)self->buf, self->pattern_gpa))
		TH_LOG("%s, fail-nth %u: the target's page still shows", sw->name, n);
	return fired;
}

/* munmap() of a window that holds a live map: the driver unmaps it. */
static bool munmap_step(struct __test_metadata *_metadata, FIXTURE_DATA(kvmmem) *self,
			struct sweep *sw, unsigned int n)
{
	char *p = window(self->fd, SWEEP_PAGES);
	bool fired;
	int err;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, map(self->fd, &self->req, p, self->pattern_gpa));
	failnth_arm(_metadata, n);
	err = munmap(p, SWEEP_PAGES * PAGE) ? -errno : 0;
	fired = failnth_fired(_metadata);
	if (sweep_judge(_metadata, sw, n, err, fired))
		ASSERT_EQ(0, munmap(p, SWEEP_PAGES * PAGE)) TH_LOG("%s", strerror(errno));
	return fired;
}

static void sweep(struct __test_metadata *_metadata, FIXTURE_DATA(kvmmem) *self,
		  const char *name, sweep_step step)
{
	struct sweep sw = { .name = name };
	unsigned int n;
	bool fired = true;

	sweep_baseline(_metadata, &sw, 0, true);
	for (n = 1; fired && n <= FAILNTH_MAX; n++) {
		fired = step(_metadata, self, &sw, n);
		sweep_baseline(_metadata, &sw, n, false);
	}
	ASSERT_FALSE(fired) TH_LOG("%s never ran clean", name);
	sw.points = n - 2;
	printf("# fail-nth %s: %d fault points reached; %d ended in -ENOMEM, %d absorbed by a fallback, then a run without a fault succeeded\n",
	       name, sw.points, sw.enomem, sw.absorbed);
	fflush(stdout);	/* the harness's child leaves by _exit() */
}

TEST_F_TIMEOUT(kvmmem, fail_nth_sweeps, 1800)
{
	failnth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (failnth_fd < 0)
		SKIP(return, "no /proc/thread-self/fail-nth: L2's kernel has no CONFIG_FAULT_INJECTION (make test KERNEL=debug's has)");
	/* The window's first page is faulted in: its page tables exist. */
	EXPECT_EQ(0, *(volatile char *)self->buf);
	sweep(_metadata, self, "open+close /dev/kvmmem", open_step);
	sweep(_metadata, self, "mmap+munmap /dev/kvmmem", mmap_step);
	sweep(_metadata, self, "KVM_INTRO_MEM_MAP", map_step);
	sweep(_metadata, self, "KVM_INTRO_MEM_UNMAP", unmap_step);
	sweep(_metadata, self, "munmap of a window with a live map", munmap_step);
	close(failnth_fd);
}

/* kvmmem_test [-l | NAME]: the 6.1 harness has no test filter of its own. */
int main(int argc, char **argv)
{
	struct __fixture_metadata *f;
	struct __test_metadata *t, *keep = NULL;

	if (argc == 2 && !strcmp(argv[1], "-l")) {
		for (f = __fixture_list; f; f = f->next)
			for (t = f->tests; t; t = t->next)
				if (strcmp(t->name, "fail_nth_sweeps"))
					printf("%s\n", t->name);
		return 0;
	}
	if (argc == 2) {
		for (f = __fixture_list; f; f = f->next) {
			for (t = f->tests; t; t = t->next)
				if (!strcmp(t->name, argv[1]))
					keep = t;
			f->tests = NULL;
		}
		if (!keep) {
			fprintf(stderr, "kvmmem_test: no test %s\n", argv[1]);
			return 2;
		}
		keep->next = NULL;
		keep->prev = keep;
		keep->fixture->tests = keep;
	}
	return test_harness_run(argc, argv);
}
