// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-stress: seeded, replayable map/unmap stress of /dev/kvmmem inside the
 * introspector, with byte-exact oracles.
 *
 *   kvmi-stress [options] SCENARIO
 *
 * Actors, each driven by its own generator drawn from (seed, round, actor):
 *   threads   one process; they share a window area whose pages they all
 *             map, unmap and read at once (same-address races), and each
 *             owns an area of its own that it maps, verifies, writes and
 *             unmaps against an exact model of every page;
 *   lives     processes forked one after another by a process actor: each
 *             opens /dev/kvmmem, maps pages, verifies them, and ends in a
 *             way its generator chose (unmap, munmap, close then exit,
 *             exit, SIGKILL, fork), after which no map of its is left; in
 *             the "vma" scenario a life first works on its own mapping
 *             (mprotect, munmap or mremap of part of it, madvise, mlock,
 *             msync, a second fd), each call with the one result the
 *             driver and mm allow, its pages verified after each.
 * What an actor does is drawn before it is done and never depends on what
 * another actor did: the same seed gives every actor the same operations,
 * whatever the interleaving (the operation log's hash says so; results
 * may differ where actors race, and each result is checked against what
 * the race allows).
 *
 * Oracles, on every operation: each ioctl's result is one the model allows;
 * every word read through a mapping is the target's word at that offset
 * (the pattern exactly, a page of the actor's own scratch range as it last
 * wrote it, the counter never backwards); a page whose map ended holds what
 * the window page held before (never a target byte); a poison written to
 * it then never reaches the target (the scratch pages are read back
 * through fresh maps at the end); a dead life holds no map. At the end of
 * each round: the driver's objects, areas, window pages and leaked pages,
 * and the pin counters of /proc/vmstat are back at their baseline.
 *
 * Output: progress on stderr, a round at a time; a JSON summary on stdout
 * (ops by kind, results by errno, words verified, oracle checks, the most
 * maps alive per round, the operation log's hash); on a failure, the first
 * broken oracle and the command that replays its round. Exit 0, 1 (an
 * oracle broke), 2 (usage).
 */
#define _GNU_SOURCE
#include <uapi/kvmi.h>
#include "cli.h"
#include "pattern.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE		4096UL
#define WORDS		(PAGE / 8)
#define MAX_THREADS	16
#define MAX_PROCS	8
#define MAX_SHARED	64
#define MAX_OWN		16
#define LIFE_PAGES	8
#define POISON		0xdeadbeefdeadbeefULL
#define SCRATCH_MAGIC	0x5343ULL	/* "SC" */
#define NR_ERRNO	160		/* results are counted by errno below this */

/* The target's reserved range (vmconfigs/target.json, memmap=2M$0x8000000). */
#define PATTERN_GPA	0x8000000ULL
#define PATTERN_PAGES	256
#define COUNTER_GPA	0x8100000ULL
#define SCRATCH_GPA	0x8101000ULL	/* 255 pages up to the range's end */

enum op {
	OP_MAP_SHARED, OP_UNMAP_SHARED, OP_READ_SHARED,
	OP_MAP_OWN, OP_UNMAP_OWN, OP_VERIFY_OWN, OP_WRITE_OWN, OP_FORK,
	OP_LIFE, OP_VMA, NR_OPS
};
static const char *const op_names[NR_OPS] = {
	"map_shared", "unmap_shared", "read_shared", "map_own", "unmap_own",
	"verify_own", "write_own", "fork", "life", "vma",
};

/*
 * What a life of the "vma" scenario does to its mapping of n pages before
 * it ends, and the one result each may have: the driver's VMA can be
 * neither split (may_split), moved (->mremap), grown nor duplicated
 * (VM_DONTEXPAND), and is VM_IO | VM_PFNMAP to mm (no LRU advice, no GUP
 * population, no VM_DONTCOPY undone, mlock a no-op).
 */
enum vma_op {
	V_PROT_RO, V_PROT_NONE_REMAP, V_PROT_PART, V_MUNMAP_PART, V_MREMAP_MOVE,
	V_MREMAP_GROW, V_MREMAP_SHRINK, V_MREMAP_DUP, V_MREMAP_DONTUNMAP,
	V_MADV_DONTNEED, V_MADV_COLD, V_MADV_DOFORK, V_MADV_DONTFORK,
	V_MADV_WILLNEED, V_MADV_REMOVE, V_MADV_POPULATE, V_MLOCK, V_MSYNC,
	V_SECOND_FD, V_UNMAP_REMAP, NR_VOPS
};
static const char *const vop_names[NR_VOPS] = {
	"mprotect_ro", "mprotect_none_remap", "mprotect_part", "munmap_part",
	"mremap_move", "mremap_grow", "mremap_shrink", "mremap_dup",
	"mremap_dontunmap", "madv_dontneed", "madv_cold", "madv_dofork",
	"madv_dontfork", "madv_willneed", "madv_remove", "madv_populate_read",
	"mlock", "msync", "second_fd", "unmap_remap",
};
#define LIFE_VOPS	6	/* at most, per life */

enum life_end { END_UNMAP, END_MUNMAP, END_CLOSE_EXIT, END_EXIT, END_KILL, END_FORK, NR_ENDS };
static const char *const end_names[NR_ENDS] = {
	"unmap", "munmap", "close_exit", "exit", "sigkill", "fork",
};

/* A scenario: which actors, and how often each operation is drawn. */
struct scenario {
	const char *name;
	const char *help;
	unsigned int threads, procs, shared;
	unsigned int weight[NR_OPS];	/* for thread actors */
	bool vma;			/* lives work on their mapping first */
};

static const struct scenario scenarios[] = {
	{ "same-address", "threads map, unmap and read the same window pages at once",
	  4, 0, 4, { [OP_MAP_SHARED] = 4, [OP_UNMAP_SHARED] = 4, [OP_READ_SHARED] = 3 }, false },
	{ "owned", "threads map, verify, write and unmap pages of their own, exact model",
	  4, 0, 0, { [OP_MAP_OWN] = 4, [OP_UNMAP_OWN] = 3, [OP_VERIFY_OWN] = 3,
		     [OP_WRITE_OWN] = 2 }, false },
	{ "lives", "processes map and end every way: unmap, munmap, close, exit, SIGKILL, fork",
	  0, 2, 0, { 0 }, false },
	{ "fork", "threads fork while mapped: the child has no window",
	  2, 0, 2, { [OP_MAP_SHARED] = 2, [OP_UNMAP_SHARED] = 1, [OP_READ_SHARED] = 1,
		     [OP_MAP_OWN] = 2, [OP_UNMAP_OWN] = 1, [OP_VERIFY_OWN] = 1,
		     [OP_FORK] = 1 }, false },
	{ "vma", "lives mprotect, munmap, mremap, madvise, mlock and msync their mapping, and map through two fds",
	  0, 2, 0, { 0 }, true },
	{ "random", "all of it at once: shared and owned pages, forks, and lives",
	  3, 1, 4, { [OP_MAP_SHARED] = 3, [OP_UNMAP_SHARED] = 3, [OP_READ_SHARED] = 2,
		     [OP_MAP_OWN] = 3, [OP_UNMAP_OWN] = 2, [OP_VERIFY_OWN] = 2,
		     [OP_WRITE_OWN] = 1, [OP_FORK] = 1 }, false },
	{ NULL }
};

static struct {
	uint64_t seed, ops;
	unsigned int round0, rounds, duration, threads, procs, shared, scratch0;
	bool shared_vm;	/* -B: another stress runs in this VM */
	const struct scenario *sc;
	const char *tok_path, *log_path;
	bool threads_set, procs_set, until_ended;
	bool allowed[NR_ERRNO];	/* map refusals the conductor makes legitimate */
} cfg = { .seed = 1, .ops = 2000, .rounds = 1, .tok_path = "/run/t" };

static struct kvmi_map_mem_token token;
static int fd = -1;
static uint8_t *shared_area;
static atomic_bool stop;
static atomic_bool sampling;
static int64_t t_start;

/* The first broken oracle: who, when, what. */
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static char fail_msg[512];

/* splitmix64: a generator per actor, from (seed, round, actor). */
static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return mix(s) % n;
}

struct counts {
	uint64_t ops[NR_OPS];
	uint64_t words, checks, maps_ok, forks, ends[NR_ENDS], vops[NR_VOPS];
	uint64_t leaked;		/* window pages the driver leaked */
	uint64_t res[NR_OPS][2];	/* [op][0]: 0, [1]: refused as allowed */
	uint64_t err[NR_ERRNO];		/* results by errno */
};

/* The operation log: what was drawn (never what happened), hashed per actor. */
struct actor {
	unsigned int id;
	uint64_t rng, hash, seq;
	FILE *log;
	struct counts n;
	/* thread actors: an area of their own, and a model of each page */
	uint8_t *own;
	uint64_t own_gpa[MAX_OWN];	/* 0: not mapped */
	uint64_t win_word[MAX_OWN];	/* what the window page holds */
	uint64_t scratch_gpa, scratch_word, counter_seen;
	bool scratch_known;	/* scratch_word: false if the round could not clear it */
};

static void oplog(struct actor *a, enum op op, uint64_t x, uint64_t y)
{
	uint64_t v[4] = { a->seq, op, x, y };

	for (unsigned int i = 0; i < 4; i++) {	/* FNV-1a over the words */
		a->hash ^= v[i];
		a->hash *= 0x100000001b3ULL;
	}
	if (a->log)
		fprintf(a->log, "%u %" PRIu64 " %s 0x%" PRIx64 " 0x%" PRIx64 "\n",
			a->id, a->seq, op_names[op], x, y);
	a->n.ops[op]++;
}

static void failf(struct actor *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void failf(struct actor *a, const char *fmt, ...)
{
	va_list ap;
	int n;

	pthread_mutex_lock(&fail_lock);
	if (!fail_msg[0]) {
		n = snprintf(fail_msg, sizeof(fail_msg), "actor %u op %" PRIu64 ": ",
			     a->id, a->seq);
		va_start(ap, fmt);
		vsnprintf(fail_msg + n, sizeof(fail_msg) - n, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&fail_lock);
	atomic_store(&stop, true);
}

static void count_res(struct actor *a, enum op op, int err, bool refused)
{
	a->n.res[op][refused]++;
	if (err >= 0 && err < NR_ERRNO)
		a->n.err[err]++;
}

/* A refusal of a map that L1 is making happen (-a): revoked, expired. */
static bool allowed(int err)
{
	return err > 0 && err < NR_ERRNO && cfg.allowed[err];
}

static int do_map(int f, void *gva, uint64_t gpa)
{
	struct kvmi_mem_map m = { .token = token, .gpa = gpa, .gva = (uintptr_t)gva };

	return ioctl(f, KVM_INTRO_MEM_MAP, &m) ? errno : 0;
}

static int do_unmap(int f, void *gva)
{
	return ioctl(f, KVM_INTRO_MEM_UNMAP, (unsigned long)gva) ? errno : 0;
}

/*
 * An unmap the round's end needs. A refusal L1 brings about (-a ENOMEM: the
 * VMM at its vm.max_map_count) is counted and retried until L1 lifts it,
 * for up to 120 s; -ENOENT (not mapped) is 0 here.
 */
static int unmap_until(struct actor *a, int f, void *gva)
{
	int64_t end = now_ms() + 120000;
	int err;

	while (allowed(err = do_unmap(f, gva)) && now_ms() < end) {
		a->n.err[err]++;
		usleep(1000);
	}
	return err == ENOENT ? 0 : err;
}

/*
 * A shared page read while others map and unmap it: each word is the
 * window's (0: shared pages are never written) or the pattern's at its own
 * offset in some pattern page (it may change page between two words).
 */
static void read_shared(struct actor *a, const volatile uint64_t *p)
{
	for (unsigned int i = 0; i < WORDS; i++) {
		uint64_t w = p[i], g = (uint64_t)(uint32_t)w << 3;

		if (w && (w >> 32 != KVMI_PATTERN_MAGIC || (g & (PAGE - 1)) != i * 8 ||
			  g < PATTERN_GPA || g >= PATTERN_GPA + PATTERN_PAGES * PAGE)) {
			failf(a, "read_shared: word %u is 0x%016" PRIx64
			      ", neither 0 nor a pattern word at that offset", i, w);
			return;
		}
	}
	a->n.words += WORDS;
	a->n.checks++;
}

/*
 * The scratch page when the round could not clear it (its map was refused
 * as -a allows, a limit L1 lifted later): whatever this actor last wrote
 * there, one word all over, or zeros; known from now on.
 */
static uint64_t scratch_learn(struct actor *a, const volatile uint64_t *p)
{
	uint64_t w = p[0];

	if (w && (w >> 48 != SCRATCH_MAGIC || (w >> 40 & 0xff) != a->id))
		return ~w;	/* not ours: verify_own says so */
	a->scratch_word = w;
	a->scratch_known = true;
	return w;
}

/* An owned page against the model: what the target has, or the window. */
static void verify_own(struct actor *a, unsigned int k, const char *when)
{
	const volatile uint64_t *p = (const volatile uint64_t *)(a->own + k * PAGE);
	uint64_t g = a->own_gpa[k], want;

	for (unsigned int i = 0; i < WORDS; i++) {
		if (!g)
			want = a->win_word[k];
		else if (g == COUNTER_GPA)
			want = i ? 0 : p[0];
		else if (g == a->scratch_gpa && !a->scratch_known)
			want = scratch_learn(a, p);
		else if (g == a->scratch_gpa)
			want = a->scratch_word;
		else
			want = kvmi_pattern_word(g + i * 8);
		if (g == COUNTER_GPA && !i) {
			if (p[0] < a->counter_seen) {
				failf(a, "%s: the counter went back: %" PRIu64 " after %" PRIu64,
				      when, p[0], a->counter_seen);
				return;
			}
			a->counter_seen = p[0];
			continue;
		}
		if (p[i] != want) {
			failf(a, "%s: slot %u (%s 0x%" PRIx64 ") word %u is 0x%016" PRIx64
			      ", want 0x%016" PRIx64, when, k, g ? "target gpa" : "window, unmapped",
			      g, i, p[i], want);
			return;
		}
	}
	a->n.words += WORDS;
	a->n.checks++;
}

/* A forked child has no window: VM_DONTCOPY. Returns 0 if so. */
static int child_has_no_window(const void *p)
{
	unsigned char v;

	return mincore((void *)p, PAGE, &v) == -1 && errno == ENOMEM ? 0 : 1;
}

static void thread_op(struct actor *a)
{
	const struct scenario *sc = cfg.sc;
	unsigned int total = 0, r, k;
	enum op op;
	uint64_t g;
	uint8_t *p;
	int err;

	for (op = 0; op < NR_OPS; op++)
		total += sc->weight[op];
	if (!total)
		return;
	r = below(&a->rng, total);
	for (op = 0; r >= sc->weight[op]; op++)
		r -= sc->weight[op];
	switch (op) {
	case OP_MAP_SHARED:
		k = below(&a->rng, cfg.shared);
		g = PATTERN_GPA + below(&a->rng, PATTERN_PAGES) * PAGE;
		oplog(a, op, k, g);
		err = do_map(fd, shared_area + k * PAGE, g);
		if (err && err != EALREADY && !allowed(err))
			failf(a, "map_shared slot %u gpa 0x%" PRIx64 ": %s, want 0 or -EALREADY",
			      k, g, errno_name(-err));
		if (!err)
			a->n.maps_ok++;
		count_res(a, op, err, err != 0);
		break;
	case OP_UNMAP_SHARED:
		k = below(&a->rng, cfg.shared);
		oplog(a, op, k, 0);
		err = do_unmap(fd, shared_area + k * PAGE);
		if (err && err != ENOENT && !allowed(err))
			failf(a, "unmap_shared slot %u: %s, want 0 or -ENOENT", k,
			      errno_name(-err));
		count_res(a, op, err, err != 0);
		break;
	case OP_READ_SHARED:
		k = below(&a->rng, cfg.shared);
		oplog(a, op, k, 0);
		read_shared(a, (const volatile uint64_t *)(shared_area + k * PAGE));
		count_res(a, op, 0, false);
		break;
	case OP_MAP_OWN:
		k = below(&a->rng, MAX_OWN);
		r = below(&a->rng, 8);	/* the scratch page, the counter, or pattern */
		g = !r ? a->scratch_gpa : r == 1 ? COUNTER_GPA :
		    PATTERN_GPA + below(&a->rng, PATTERN_PAGES) * PAGE;
		oplog(a, op, k, g);
		err = do_map(fd, a->own + k * PAGE, g);
		if (err != (a->own_gpa[k] ? EALREADY : 0) && !allowed(err)) {
			failf(a, "map_own slot %u gpa 0x%" PRIx64 ": %s, want %s", k, g,
			      errno_name(-err), a->own_gpa[k] ? "-EALREADY" : "0");
			break;
		}
		count_res(a, op, err, err != 0);
		if (!err) {
			a->own_gpa[k] = g;
			a->n.maps_ok++;
			verify_own(a, k, "map_own");
		}
		break;
	case OP_UNMAP_OWN:
		k = below(&a->rng, MAX_OWN);
		oplog(a, op, k, 0);
		err = do_unmap(fd, a->own + k * PAGE);
		if (err != (a->own_gpa[k] ? 0 : ENOENT) && !(a->own_gpa[k] && allowed(err))) {
			failf(a, "unmap_own slot %u: %s, want %s", k, errno_name(-err),
			      a->own_gpa[k] ? "0" : "-ENOENT");
			break;
		}
		count_res(a, op, err, err != 0);
		if (!err)
			a->own_gpa[k] = 0;
		verify_own(a, k, "unmap_own");	/* the window's page again, or refused */
		break;
	case OP_VERIFY_OWN:
		k = below(&a->rng, MAX_OWN);
		oplog(a, op, k, 0);
		verify_own(a, k, "verify_own");
		count_res(a, op, 0, false);
		break;
	case OP_WRITE_OWN:
		k = below(&a->rng, MAX_OWN);
		oplog(a, op, k, 0);
		p = a->own + k * PAGE;
		g = a->own_gpa[k];
		if (g && g != a->scratch_gpa) {
			verify_own(a, k, "write_own");	/* not ours to write */
		} else {
			uint64_t v = g ? SCRATCH_MAGIC << 48 | (uint64_t)a->id << 40 | a->seq :
				     POISON;

			for (unsigned int i = 0; i < WORDS; i++)
				((volatile uint64_t *)p)[i] = v;
			if (g) {
				a->scratch_word = v;
				a->scratch_known = true;
			}
			else
				a->win_word[k] = v;
			verify_own(a, k, "write_own");
		}
		count_res(a, op, 0, false);
		break;
	case OP_FORK: {
		pid_t pid;
		int st;

		oplog(a, op, 0, 0);
		pid = fork();
		if (!pid)
			_exit(child_has_no_window(shared_area) |
			      child_has_no_window(a->own) << 1);
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			failf(a, "fork: the child %s", pid < 0 ? "was not made" :
			      "has a window mapping (VM_DONTCOPY lost) or died");
		a->n.forks++;
		a->n.checks++;
		count_res(a, op, 0, false);
		break;
	}
	default:
		break;
	}
}

static void *thread_actor(void *arg)
{
	struct actor *a = arg;
	volatile uint64_t *p = (volatile uint64_t *)a->own;

	int err;

	/*
	 * The scratch page starts the round as the model says: zeros. If
	 * its map is refused as -a allows, the model learns the page when it
	 * first sees it (scratch_learn()).
	 */
	err = do_map(fd, a->own, a->scratch_gpa);
	if (allowed(err))
		a->n.err[err]++;
	else if (err) {
		failf(a, "round start: map of the scratch page 0x%" PRIx64 ": %s",
		      a->scratch_gpa, errno_name(-err));
		return NULL;
	}
	if (!err) {
		a->n.maps_ok++;
		for (unsigned int i = 0; i < WORDS; i++)
			p[i] = 0;
		a->scratch_known = true;
		if (unmap_until(a, fd, a->own)) {
			failf(a, "round start: unmap of the scratch page failed");
			return NULL;
		}
	}

	for (a->seq = 0; a->seq < cfg.ops && !atomic_load(&stop); a->seq++)
		thread_op(a);
	/* The round's end: every owned page unmapped and back to the window's. */
	for (unsigned int k = 0; k < MAX_OWN && !atomic_load(&stop); k++) {
		if (!a->own_gpa[k])
			continue;
		if (unmap_until(a, fd, a->own + k * PAGE)) {
			failf(a, "round end: unmap of slot %u failed", k);
			break;
		}
		a->own_gpa[k] = 0;
		verify_own(a, k, "round end");
	}
	return NULL;
}

/*
 * What a life tells its parent once its maps are made and its VMA work
 * done: how many maps it made, and the errno of each it saw refused as -a
 * allows (so that the run counts every refusal, as the host does).
 */
struct life_report {
	unsigned char made, nref;
	unsigned char ref[LIFE_PAGES + LIFE_VOPS];
};

/* A refusal -a allows, noted for the parent: 0; any other error as it is. */
static int life_refused(struct life_report *rep, int err)
{
	if (!allowed(err))
		return err;
	if (rep->nref < sizeof(rep->ref))
		rep->ref[rep->nref++] = err;
	return 0;
}

/* A map a life made (gpas[k] = g), or saw refused as allowed (0). */
static int life_map(int f, uint8_t *p, uint64_t *gpas, unsigned int k, uint64_t g,
		    struct life_report *rep)
{
	int err = do_map(f, p + k * PAGE, g);

	gpas[k] = err ? 0 : g;
	rep->made += !err;
	return err ? life_refused(rep, err) : 0;
}

/*
 * A life's unmap of page k: 0 when it ended (gpas[k] = 0) or was refused as
 * -a allows (the map stays: the VMM at its vm.max_map_count), else the error.
 */
static int life_unmap(int f, uint8_t *p, uint64_t *gpas, unsigned int k,
		      struct life_report *rep)
{
	int err = do_unmap(f, p + k * PAGE);

	if (!err)
		gpas[k] = 0;
	return err ? life_refused(rep, err) : 0;
}

/*
 * The driver's maps of process pid (debugfs kvmmem/mappings: "pid gva
 * ..."), read without allocating: a life, a child of a threaded process,
 * asks too.
 */
static int maps_of(pid_t pid)
{
	char b[1 << 18];
	int f = open("/sys/kernel/debug/kvmmem/mappings", O_RDONLY), n = 0;
	ssize_t r, len = 0;

	if (f < 0)
		return -1;
	while ((r = read(f, b + len, sizeof(b) - 1 - len)) > 0)
		len += r;
	close(f);
	b[len] = 0;
	for (char *l = b; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
		n += atoi(l) == pid;
	return n;
}

static int count_mapped(const uint64_t *gpas, unsigned int n)
{
	int c = 0;

	for (unsigned int k = 0; k < n; k++)
		c += !!gpas[k];
	return c;
}

/*
 * A life's failed VMA operation, said on stderr (no stdio: we forked):
 * what went wrong, and the result got and wanted if want is not -1.
 */
static int vop_fail(enum vma_op v, const char *what, int got, int want)
{
	char b[200];
	int l;

	if (want == -1)
		l = snprintf(b, sizeof(b), "kvmi-stress: life %d: %s: %s\n", (int)getpid(),
			     vop_names[v], what);
	else
		l = snprintf(b, sizeof(b), "kvmi-stress: life %d: %s: %s%s, want %s\n",
			     (int)getpid(), vop_names[v], what, got ? errno_name(-got) : "0",
			     want ? errno_name(-want) : "0");
	if (write(2, b, l) < 0)
		_exit(19);	/* nowhere to say it */
	return 19;
}

/* A life's pages, each as its map says: the target's or the window's (0). */
static bool life_pages_ok(const uint8_t *p, const uint64_t *gpas, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		const volatile uint64_t *w = (const volatile uint64_t *)(p + k * PAGE);

		for (unsigned int i = 0; i < WORDS; i++)
			if (w[i] != (gpas[k] ? kvmi_pattern_word(gpas[k] + i * 8) : 0))
				return false;
	}
	return true;
}

/* The result of a call that says -1 and errno. */
static int res(long r)
{
	return r == -1 ? errno : 0;
}

/*
 * One VMA operation v on a life's mapping p of n pages (page k where one is
 * named): its result must be the one allowed, and afterwards every page is
 * what its map says. 0, or a life's exit status (19).
 */
static int life_vop(int f, uint8_t *p, uint64_t *gpas, unsigned int n,
		    enum vma_op v, unsigned int k, struct life_report *rep)
{
	const size_t len = n * PAGE;
	const int rw = PROT_READ | PROT_WRITE;
	int got = 0, want = 0, g2 = 0, w2 = 0;
	uint8_t *q;

	switch (v) {
	case V_PROT_RO:		/* whole: allowed, and the maps read the same */
		got = res(mprotect(p, len, PROT_READ));
		if (!got && !life_pages_ok(p, gpas, n))
			return vop_fail(v, "pages changed under PROT_READ", 0, -1);
		g2 = res(mprotect(p, len, rw));
		break;
	case V_PROT_NONE_REMAP:	/* map and unmap need no access to the page */
		got = res(mprotect(p, len, PROT_NONE));
		if (!got && gpas[k]) {
			uint64_t g = gpas[k];

			g2 = life_unmap(f, p, gpas, k, rep);
			if (!g2 && !gpas[k])
				g2 = life_map(f, p, gpas, k, g, rep);
		}
		if (res(mprotect(p, len, rw)))
			return vop_fail(v, "mprotect back to read-write: ", errno, 0);
		break;
	case V_PROT_PART:	/* a split: refused if there is one to make */
		got = res(mprotect(p + k * PAGE, PAGE, PROT_READ));
		want = n > 1 ? EINVAL : 0;
		g2 = res(mprotect(p, len, rw));
		break;
	case V_MUNMAP_PART:
		got = res(munmap(p + k * PAGE, PAGE));
		want = n > 1 ? EINVAL : 0;
		if (n == 1) {	/* that was the whole mapping: the map ended */
			if (maps_of(getpid()))
				return vop_fail(v, "map left after munmap", 0, -1);
			gpas[0] = 0;
			q = mmap(p, PAGE, rw, MAP_SHARED | MAP_FIXED_NOREPLACE, f, 0);
			if (q != p)
				return vop_fail(v, "mmap again: ", errno, 0);
		}
		break;
	case V_MREMAP_MOVE:	/* the move is undone: ->mremap refuses it */
		q = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q == MAP_FAILED)
			return vop_fail(v, "mmap of the destination: ", errno, 0);
		got = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, q) == MAP_FAILED ?
		      errno : 0;
		want = EINVAL;
		munmap(q, len);
		break;
	case V_MREMAP_GROW:
		got = mremap(p, len, len + PAGE, MREMAP_MAYMOVE) == MAP_FAILED ? errno : 0;
		want = EFAULT;
		break;
	case V_MREMAP_SHRINK:	/* a split, if the mapping has pages to lose */
		got = n > 1 && mremap(p, len, len - PAGE, 0) == MAP_FAILED ? errno : 0;
		want = n > 1 ? EINVAL : 0;
		break;
	case V_MREMAP_DUP:	/* old_len 0: a second mapping of the same pages */
		got = mremap(p, 0, len, MREMAP_MAYMOVE) == MAP_FAILED ? errno : 0;
		want = EFAULT;
		break;
	case V_MREMAP_DONTUNMAP:
		got = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_DONTUNMAP) == MAP_FAILED ?
		      errno : 0;
		want = EINVAL;
		break;
	case V_MADV_DONTNEED:
		got = res(madvise(p, len, MADV_DONTNEED));
		want = EINVAL;
		break;
	case V_MADV_COLD:
		got = res(madvise(p, len, k & 1 ? MADV_PAGEOUT : MADV_COLD));
		want = EINVAL;
		break;
	case V_MADV_DOFORK:	/* VM_DONTCOPY stays: a child has no window */
		got = res(madvise(p, len, MADV_DOFORK));
		want = EINVAL;
		break;
	case V_MADV_DONTFORK:	/* it is so already: nothing to change */
		got = res(madvise(p, len, MADV_DONTFORK));
		break;
	case V_MADV_WILLNEED:
		got = res(madvise(p, len, MADV_WILLNEED));
		break;
	case V_MADV_REMOVE:	/* no hole to punch in a character device */
		got = res(madvise(p, len, MADV_REMOVE));
		want = ENODEV;
		break;
	case V_MADV_POPULATE:	/* GUP: never on VM_IO | VM_PFNMAP */
		got = res(madvise(p, len, MADV_POPULATE_READ));
		want = EINVAL;
		break;
	case V_MLOCK:		/* VM_SPECIAL: a no-op, and the maps stay */
		got = res(mlock(p, len));
		g2 = res(munlock(p, len));
		break;
	case V_MSYNC:		/* no fsync: MS_SYNC refused, MS_ASYNC a no-op */
		got = res(msync(p, len, MS_SYNC));
		want = EINVAL;
		g2 = res(msync(p, len, MS_ASYNC));
		break;
	case V_SECOND_FD: {	/* each fd's gvas are its own */
		int f2 = open("/dev/kvmmem", O_RDWR), e;
		uint64_t g = PATTERN_GPA + k * PAGE;

		if (f2 < 0)
			return vop_fail(v, "open: ", errno, 0);
		q = mmap(NULL, PAGE, rw, MAP_SHARED, f2, 0);
		close(f2);	/* the mapping holds the file */
		if (q == MAP_FAILED)
			return vop_fail(v, "mmap: ", errno, 0);
		got = do_map(f, q, g);		/* fd 1, a page of fd 2's */
		want = EINVAL;
		f2 = open("/dev/kvmmem", O_RDWR);
		g2 = do_map(f2, p + k * PAGE, g);	/* a new fd, fd 1's page */
		w2 = EINVAL;
		close(f2);
		/* fd 2's page through fd 2, which only its mapping holds now */
		e = do_unmap(f, q);
		if (e != EINVAL)
			return vop_fail(v, "unmap of fd 2's page through fd 1: ", e, EINVAL);
		if (maps_of(getpid()) != count_mapped(gpas, n))
			return vop_fail(v, "fd 1's maps changed", 0, -1);
		munmap(q, PAGE);
		break;
	}
	case V_UNMAP_REMAP: {	/* the window's page between two maps */
		uint64_t g = gpas[k];

		if (!g)
			break;
		got = life_unmap(f, p, gpas, k, rep);
		if (got || gpas[k])	/* failed, or refused as allowed */
			break;
		if (!life_pages_ok(p, gpas, n))
			return vop_fail(v, "the window page after unmap", 0, -1);
		g2 = life_map(f, p, gpas, k, g, rep);
		break;
	}
	default:
		return 0;
	}
	if (got != want)
		return vop_fail(v, "got ", got, want);
	if (g2 != w2)
		return vop_fail(v, "then got ", g2, w2);
	if (!life_pages_ok(p, gpas, n))
		return vop_fail(v, "a page is not what its map says afterwards", 0, -1);
	return 0;
}

/* A life's failed step, said on stderr without allocating. */
static void life_say(const char *what, uint64_t gpa, int err)
{
	char b[128];
	int len = snprintf(b, sizeof(b), "kvmi-stress: a life's %s of gpa 0x%" PRIx64 ": %s\n",
			   what, gpa, errno_name(err));

	if (len > 0 && write(2, b, len < (int)sizeof(b) ? len : (int)sizeof(b) - 1) < 0)
		return;	/* nothing more a life can say */
}

/*
 * A life, in the child: open, mmap, map n pages, verify them, do what vops
 * says to the mapping, tell the parent (two bytes), and end as drawn. No
 * allocation here: the parent has threads. Exit status: 0, or the step
 * that failed.
 */
static int life_child(uint64_t *gpas, unsigned int n, const uint8_t (*vops)[2],
		      unsigned int nv, enum life_end end, int pipefd)
{
	int f = open("/dev/kvmmem", O_RDWR);
	struct life_report rep = { 0 };
	uint8_t *p;
	int st;

	if (f < 0)
		return 10;
	p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	if (p == MAP_FAILED)
		return 11;
	for (unsigned int k = 0; k < n; k++) {
		uint64_t g = gpas[k];

		st = life_map(f, p, gpas, k, g, &rep);
		if (st) {
			life_say("map", g, st);
			return 12;
		}
	}
	/* each page the target's, or the window's (0) if refused */
	if (!life_pages_ok(p, gpas, n))
		return 13;
	for (unsigned int j = 0; j < nv; j++) {
		st = life_vop(f, p, gpas, n, vops[j][0], vops[j][1] % n, &rep);
		if (st)
			return st;
	}
	/* Unmaps before the report: it counts their refusals. */
	for (unsigned int k = 0; end == END_UNMAP && k < n; k++) {
		bool was = gpas[k];

		if (!was && do_unmap(f, p + k * PAGE) != ENOENT)
			return 15;
		if (was) {
			uint64_t g = gpas[k];

			st = life_unmap(f, p, gpas, k, &rep);
			if (st) {
				life_say("unmap", g, st);
				return 15;
			}
		}
		if (!life_pages_ok(p, gpas, n))
			return 16;
	}
	if (write(pipefd, &rep, sizeof(rep)) != sizeof(rep))
		return 14;
	switch (end) {
	case END_UNMAP:		/* a map refused its unmap ends here, or leaks */
		munmap(p, n * PAGE);
		break;
	case END_MUNMAP:
		munmap(p, n * PAGE);
		break;
	case END_CLOSE_EXIT:
		close(f);	/* the mapping holds the file: maps still live */
		for (unsigned int i = 0; i < WORDS; i++)
			if (((const volatile uint64_t *)p)[i] !=
			    (gpas[0] ? kvmi_pattern_word(gpas[0] + i * 8) : 0))
				return 17;
		break;
	case END_KILL:
		pause();	/* the parent kills us */
		break;
	case END_FORK: {
		pid_t pid = fork();
		int st;

		if (!pid)
			_exit(child_has_no_window(p));
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			return 18;
		break;
	}
	default:
		break;
	}
	return 0;
}

static void *proc_actor(void *arg)
{
	static const char *const life_err[] = {
		[10] = "open", [11] = "mmap", [12] = "map", [13] = "the pattern through a map",
		[14] = "tell the parent", [15] = "unmap", [16] = "the window page after unmap",
		[17] = "a map after close", [18] = "fork: the grandchild has the window",
		[19] = "a VMA operation (said above)",
	};
	struct actor *a = arg;

	for (a->seq = 0; a->seq < cfg.ops / 8 + 1 && !atomic_load(&stop); a->seq++) {
		unsigned int n = 1 + below(&a->rng, LIFE_PAGES);
		enum life_end end = below(&a->rng, NR_ENDS);
		uint64_t gpas[LIFE_PAGES];
		uint8_t vops[LIFE_VOPS][2];
		unsigned int nv = cfg.sc->vma ? 1 + below(&a->rng, LIFE_VOPS) : 0;
		int pfd[2], st, left;
		pid_t pid;
		struct life_report rep = { 0 };

		for (unsigned int k = 0; k < n; k++)
			gpas[k] = PATTERN_GPA + below(&a->rng, PATTERN_PAGES) * PAGE;
		oplog(a, OP_LIFE, n, end);
		for (unsigned int j = 0; j < nv; j++) {
			vops[j][0] = below(&a->rng, NR_VOPS);
			vops[j][1] = below(&a->rng, LIFE_PAGES);
			oplog(a, OP_VMA, vops[j][0], vops[j][1]);
		}
		if (pipe2(pfd, O_CLOEXEC)) {
			failf(a, "pipe: %s", errno_str(errno));
			break;
		}
		pid = fork();
		if (!pid) {
			close(pfd[0]);
			_exit(life_child(gpas, n, vops, nv, end, pfd[1]));
		}
		close(pfd[1]);
		if (pid < 0) {
			close(pfd[0]);
			failf(a, "fork: %s", errno_str(errno));
			break;
		}
		if (read(pfd[0], &rep, sizeof(rep)) == sizeof(rep) && end == END_KILL)
			kill(pid, SIGKILL);
		close(pfd[0]);
		if (waitpid(pid, &st, 0) != pid) {
			failf(a, "life %" PRIu64 ": waitpid: %s", a->seq, errno_str(errno));
			break;
		}
		if (end == END_KILL ? !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) :
		    !(WIFEXITED(st) && !WEXITSTATUS(st))) {
			int e = WIFEXITED(st) ? WEXITSTATUS(st) : 0;

			failf(a, "life %" PRIu64 " (%u pages, ends by %s): %s%s", a->seq, n,
			      end_names[end], e >= 10 && e <= 19 ? "failed at " : "died, status ",
			      e >= 10 && e <= 19 ? life_err[e] : "?");
			break;
		}
		left = maps_of(pid);
		if (left) {
			failf(a, "life %" PRIu64 " ended by %s: the driver still lists %d maps of it",
			      a->seq, end_names[end], left);
			break;
		}
		a->n.ends[end]++;
		for (unsigned int j = 0; j < nv; j++)
			a->n.vops[vops[j][0]]++;
		a->n.checks += nv;
		a->n.maps_ok += rep.made;
		for (unsigned int j = 0; j < rep.nref; j++)
			a->n.err[rep.ref[j]]++;
		a->n.words += n * WORDS;
		a->n.checks += n + 1;
	}
	return NULL;
}

/* The baselines a round must return to. */
struct base {
	long areas, objects, leaked, used, pin_acq, pin_rel;
};

/* The value of "KEY VALUE" lines in text s, or -1. */
static long key_in(const char *s, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ' ')
			return atol(p + n + 1);
	return -1;
}

static long stat_of(const char *path, const char *key)
{
	char *s = read_file(path, NULL);
	long v = key_in(s, key);

	free(s);
	return v;
}

static void read_base(struct base *b)
{
	char *ds = read_file("/sys/kernel/debug/kvmmem/stats", NULL),
	     *vm = read_file("/proc/vmstat", NULL);

	b->areas = key_in(ds, "areas");
	b->objects = key_in(ds, "map_objects");
	b->leaked = key_in(ds, "leaked_pages");
	b->used = key_in(ds, "window_used");
	b->pin_acq = key_in(vm, "nr_foll_pin_acquired");
	b->pin_rel = key_in(vm, "nr_foll_pin_released");
	free(ds);
	free(vm);
}

/*
 * The round's end against its start. When L1 makes the VMM refuse unmaps
 * (-a ENOMEM), a mapping that goes away may leak window pages, as the
 * driver documents: never freed, since they may show the target. Each
 * keeps its page in use; their number is added to *leaked.
 */
static int compare_base(const struct base *b0, const struct base *b1, char *why, size_t n,
			uint64_t *leaked)
{
	static const char *const names[] = {
		"areas", "map_objects", "leaked_pages", "window_used",
		"nr_foll_pin_acquired", "nr_foll_pin_released",
	};
	struct base c = *b1;
	const long *x = &b0->areas, *y = &c.areas;
	long d = c.leaked - b0->leaked;

	if (cfg.allowed[ENOMEM] && d > 0 && c.used - b0->used == d) {
		*leaked += d;
		c.leaked -= d;
		c.used -= d;
	}
	for (unsigned int i = 0; i < 6; i++)
		if (x[i] != y[i] || x[i] < 0) {
			snprintf(why, n, "%s %ld after the round, %ld before", names[i], y[i], x[i]);
			return 1;
		}
	return 0;
}

/*
 * Maps alive over time, as the driver counts them (its map objects), every
 * 250 ms while a round runs: [ms since the start, maps], and the round's most.
 */
struct sampler {
	struct json_object *series;
	long max;
};

static void *sample_maps(void *arg)
{
	struct sampler *sm = arg;

	while (atomic_load(&sampling)) {
		long n = stat_of("/sys/kernel/debug/kvmmem/stats", "map_objects");
		struct json_object *pt = json_object_new_array();

		json_object_array_add(pt, json_object_new_int64(now_ms() - t_start));
		json_object_array_add(pt, json_object_new_int64(n));
		json_object_array_add(sm->series, pt);
		if (n > sm->max)
			sm->max = n;
		usleep(250000);
	}
	return NULL;
}

/* The scratch pages as the target has them, through fresh maps. */
static void check_scratch(struct actor *a)
{
	uint8_t *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int err;

	if (p == MAP_FAILED) {
		failf(a, "scratch check: mmap: %s", errno_str(errno));
		return;
	}
	a->own = p;
	a->own_gpa[0] = a->scratch_gpa;
	err = do_map(fd, p, a->scratch_gpa);
	if (allowed(err))
		a->n.err[err]++;
	if (!err)
		a->n.maps_ok++;
	if (!err)
		verify_own(a, 0, "scratch check (a write after unmap reached the target?)");
	else if (!allowed(err))	/* else L1 ended the token: L1 reads the RAM file */
		failf(a, "scratch check: map of 0x%" PRIx64 ": %s", a->scratch_gpa,
		      errno_name(-err));
	if (unmap_until(a, fd, p))
		failf(a, "scratch check: unmap failed");
	munmap(p, PAGE);
}

static struct json_object *counts_json(const struct counts *n)
{
	struct json_object *o = json_object_new_object(), *ops = json_object_new_object(),
			   *errs = json_object_new_object(), *ends = json_object_new_object(),
			   *vops = json_object_new_object();

	for (unsigned int i = 0; i < NR_OPS; i++)
		if (n->ops[i])
			json_object_object_add(ops, op_names[i], json_object_new_int64(n->ops[i]));
	for (unsigned int i = 0; i < NR_ERRNO; i++)
		if (n->err[i])
			json_object_object_add(errs, i ? errno_name(-(long)i) : "0",
					       json_object_new_int64(n->err[i]));
	for (unsigned int i = 0; i < NR_ENDS; i++)
		if (n->ends[i])
			json_object_object_add(ends, end_names[i], json_object_new_int64(n->ends[i]));
	for (unsigned int i = 0; i < NR_VOPS; i++)
		if (n->vops[i])
			json_object_object_add(vops, vop_names[i], json_object_new_int64(n->vops[i]));
	json_object_object_add(o, "ops", ops);
	json_object_object_add(o, "results", errs);
	json_object_object_add(o, "lives_ended_by", ends);
	json_object_object_add(o, "vma_ops_done", vops);
	json_object_object_add(o, "words_verified", json_object_new_int64(n->words));
	json_object_object_add(o, "oracle_checks", json_object_new_int64(n->checks));
	json_object_object_add(o, "maps_made", json_object_new_int64(n->maps_ok));
	json_object_object_add(o, "window_pages_leaked", json_object_new_int64(n->leaked));
	return o;
}

static void add_counts(struct counts *t, const struct counts *n)
{
	const uint64_t *s = (const uint64_t *)n;
	uint64_t *d = (uint64_t *)t;

	for (size_t i = 0; i < sizeof(*n) / sizeof(uint64_t); i++)
		d[i] += s[i];
}

/* One round: its actors on (seed, round), then the round's oracles. */
static int run_round(unsigned int round, struct counts *tot, uint64_t *hash,
		     struct json_object *maxes, struct json_object *series,
		     struct json_object *hashes)
{
	uint64_t rh = 0xcbf29ce484222325ULL;
	char hex[17], key[16];
	struct sampler sm = { .series = series };
	pthread_t sampler;
	unsigned int na = cfg.threads + cfg.procs;
	struct actor *as = calloc(na, sizeof(*as));
	pthread_t *th = calloc(na, sizeof(*th));
	struct base b0, b1;
	char why[256];
	size_t shared_len = (cfg.shared ? cfg.shared : 1) * PAGE;
	int ret = 0;

	if (!as || !th)
		abort();
	read_base(&b0);
	shared_area = mmap(NULL, shared_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (shared_area == MAP_FAILED) {
		snprintf(fail_msg, sizeof(fail_msg), "mmap of the shared area: %s",
			 errno_str(errno));
		return 1;
	}
	for (unsigned int i = 0; i < na; i++) {
		struct actor *a = &as[i];

		a->id = i;
		a->rng = cfg.seed ^ (uint64_t)round << 32 ^ (uint64_t)i << 16;
		mix(&a->rng);
		a->hash = 0xcbf29ce484222325ULL;
		a->scratch_gpa = SCRATCH_GPA + (cfg.scratch0 + i) * PAGE;
		if (cfg.log_path) {
			char *p = xasprintf("%s.%u.%u", cfg.log_path, round, i);

			a->log = fopen(p, "w");
			free(p);
		}
		if (i < cfg.threads) {
			a->own = mmap(NULL, MAX_OWN * PAGE, PROT_READ | PROT_WRITE,
				      MAP_SHARED, fd, 0);
			if (a->own == MAP_FAILED) {
				snprintf(fail_msg, sizeof(fail_msg), "mmap: %s", errno_str(errno));
				return 1;
			}
		}
	}
	atomic_store(&sampling, true);
	pthread_create(&sampler, NULL, sample_maps, &sm);
	for (unsigned int i = 0; i < na; i++)
		pthread_create(&th[i], NULL, i < cfg.threads ? thread_actor : proc_actor, &as[i]);
	for (unsigned int i = 0; i < na; i++)
		pthread_join(th[i], NULL);
	atomic_store(&sampling, false);
	pthread_join(sampler, NULL);
	/* The shared pages: unmap what is left, then each is the window's, 0. */
	for (unsigned int k = 0; k < cfg.shared && !atomic_load(&stop); k++) {
		int err = unmap_until(&as[0], fd, shared_area + k * PAGE);

		if (err)
			failf(&as[0], "round end: unmap of shared slot %u: %s", k,
			      errno_name(-err));
		for (unsigned int i = 0; i < WORDS && !err; i++)
			if (((const volatile uint64_t *)(shared_area + k * PAGE))[i])
				failf(&as[0], "round end: shared slot %u word %u not 0 after unmap",
				      k, i);
	}
	for (unsigned int i = 0; i < cfg.threads && !atomic_load(&stop); i++) {
		munmap(as[i].own, MAX_OWN * PAGE);
		check_scratch(&as[i]);
	}
	munmap(shared_area, shared_len);
	read_base(&b1);
	if (!atomic_load(&stop) && !cfg.shared_vm && compare_base(&b0, &b1, why, sizeof(why), &tot->leaked)) {
		snprintf(fail_msg, sizeof(fail_msg), "round end: %s", why);
		atomic_store(&stop, true);
	}
	for (unsigned int i = 0; i < na; i++) {
		add_counts(tot, &as[i].n);
		rh = (rh ^ as[i].hash) * 0x100000001b3ULL;
		if (as[i].log)
			fclose(as[i].log);
	}
	json_object_array_add(maxes, json_object_new_int64(sm.max));
	*hash = (*hash ^ rh) * 0x100000001b3ULL;
	snprintf(hex, sizeof(hex), "%016" PRIx64, rh);
	snprintf(key, sizeof(key), "%u", round);
	json_object_object_add(hashes, key, json_object_new_string(hex));
	ret = atomic_load(&stop);
	free(as);
	free(th);
	return ret;
}

/* Map refusals L1 brought about (-a), so far. */
static uint64_t refused_count(const struct counts *n)
{
	uint64_t r = 0;

	for (unsigned int i = 0; i < NR_ERRNO; i++)
		if (cfg.allowed[i])
			r += n->err[i];
	return r;
}

static const struct scenario *find_scenario(const char *name)
{
	for (const struct scenario *s = scenarios; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: kvmi-stress [options] SCENARIO\n"
		"  -s SEED       the seed (default 1); each round's is drawn from it\n"
		"  -n OPS        operations per actor per round (default 2000)\n"
		"  -R ROUNDS     rounds (default 1)\n"
		"  -r ROUND      the first round (to replay one: -r ROUND -R 1)\n"
		"  -d SECS       rounds until SECS have passed (at least -R)\n"
		"  -x            rounds until one in which every map was refused as -a\n"
		"                allows (L1 ended the token), at least -R\n"
		"  -a ERR,...    map refusals L1 brings about (EKEYREVOKED, EKEYEXPIRED)\n"
		"  -o N          scratch pages from the Nth on (0): two stresses on one\n"
		"                target each need their own\n"
		"  -B            another stress runs in this VM: leave the driver's\n"
		"                counters to L1 (checked only when both end)\n"
		"  -T THREADS    thread actors (default: the scenario's)\n"
		"  -P PROCS      process actors (default: the scenario's)\n"
		"  -t TOKEN      the token file (default /run/t)\n"
		"  -l PREFIX     the operation log, one file per round and actor\n"
		"scenarios:\n");
	for (const struct scenario *s = scenarios; s->name; s++)
		fprintf(f, "  %-14s %s\n", s->name, s->help);
}

int main(int argc, char **argv)
{
	struct json_object *out = json_object_new_object(), *maxes = json_object_new_array(),
			   *series = json_object_new_array(), *hashes = json_object_new_object();
	struct counts tot = { 0 };
	uint64_t hash = 0xcbf29ce484222325ULL;
	int64_t t0 = t_start = now_ms();
	uint64_t maps_before, refused_before;
	unsigned int round, done = 0;
	char *t, *replay, hex[17];
	size_t len;
	int c, ret = 0;

	while ((c = getopt(argc, argv, "s:n:R:r:d:xa:o:BT:P:t:l:h")) != -1) {
		switch (c) {
		case 's': cfg.seed = cli_u64_range("kvmi-stress", optarg, 0, UINT64_MAX); break;
		case 'n': cfg.ops = cli_u64_range("kvmi-stress", optarg, 1, 1 << 24); break;
		case 'R': cfg.rounds = cli_u64_range("kvmi-stress", optarg, 1, 1 << 20); break;
		case 'r': cfg.round0 = cli_u64_range("kvmi-stress", optarg, 0, 1 << 20); break;
		case 'd': cfg.duration = cli_u64_range("kvmi-stress", optarg, 1, 1 << 24); break;
		case 'T': cfg.threads = cli_u64_range("kvmi-stress", optarg, 0, MAX_THREADS);
			cfg.threads_set = true; break;
		case 'P': cfg.procs = cli_u64_range("kvmi-stress", optarg, 0, MAX_PROCS);
			cfg.procs_set = true; break;
		case 't': cfg.tok_path = optarg; break;
		case 'x': cfg.until_ended = true; break;
		case 'o': cfg.scratch0 = cli_u64_range("kvmi-stress", optarg, 0, 254); break;
		case 'B': cfg.shared_vm = true; break;
		case 'a':
			for (char *e = strtok(optarg, ","); e; e = strtok(NULL, ",")) {
				int i;

				for (i = 1; i < NR_ERRNO && strcmp(errno_name(-i) + 1, e); i++)
					;
				if (i == NR_ERRNO) {
					fprintf(stderr, "kvmi-stress: -a: no errno %s\n", e);
					return 2;
				}
				cfg.allowed[i] = true;
			}
			break;
		case 'l': cfg.log_path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc || !(cfg.sc = find_scenario(argv[optind]))) {
		usage(stderr);
		return 2;
	}
	if (!cfg.threads_set)
		cfg.threads = cfg.sc->threads;
	if (!cfg.procs_set)
		cfg.procs = cfg.sc->procs;
	cfg.shared = cfg.sc->shared;
	if (cfg.scratch0 + cfg.threads + cfg.procs > 255) {
		fprintf(stderr, "kvmi-stress: -o %u: the scratch range has 255 pages\n",
			cfg.scratch0);
		return 2;
	}
	if (!cfg.threads && !cfg.procs) {
		fprintf(stderr, "kvmi-stress: no actors\n");
		return 2;
	}
	t = read_file(cfg.tok_path, &len);
	if (!t || len != sizeof(token)) {
		fprintf(stderr, "kvmi-stress: %s: want a 32-byte token\n", cfg.tok_path);
		return 2;
	}
	memcpy(&token, t, sizeof(token));
	free(t);
	fd = open("/dev/kvmmem", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "kvmi-stress: /dev/kvmmem: %s\n", errno_str(errno));
		return 2;
	}
	for (round = cfg.round0; ; round++) {
		maps_before = tot.maps_ok;
		refused_before = refused_count(&tot);
		ret = run_round(round, &tot, &hash, maxes, series, hashes);
		done++;
		fprintf(stderr, "kvmi-stress: %s seed %" PRIu64 " round %u: %s; %" PRIu64
			" words verified, %" PRIu64 " oracle checks so far, %.1fs\n",
			cfg.sc->name, cfg.seed, round, ret ? "FAILED" : "ok", tot.words,
			tot.checks, (now_ms() - t0) / 1000.0);
		if (ret || (done >= cfg.rounds &&
			    (!cfg.duration || now_ms() - t0 >= cfg.duration * 1000LL) &&
			    (!cfg.until_ended || (tot.maps_ok == maps_before &&
						      refused_count(&tot) > refused_before))))
			break;
	}
	replay = xasprintf("kvmi-stress -s %" PRIu64 " -r %u -R 1 -n %" PRIu64 " -T %u -P %u -o %u %s",
			   cfg.seed, round, cfg.ops, cfg.threads, cfg.procs, cfg.scratch0,
			   cfg.sc->name);
	json_object_object_add(out, "scenario", json_object_new_string(cfg.sc->name));
	json_object_object_add(out, "seed", json_object_new_uint64(cfg.seed));
	json_object_object_add(out, "rounds", json_object_new_int(done));
	json_object_object_add(out, "threads", json_object_new_int(cfg.threads));
	json_object_object_add(out, "procs", json_object_new_int(cfg.procs));
	json_object_object_add(out, "ops_per_actor", json_object_new_uint64(cfg.ops));
	json_object_object_add(out, "seconds",
			       json_object_new_double((now_ms() - t0) / 1000.0));
	json_object_object_add(out, "totals", counts_json(&tot));
	json_object_object_add(out, "max_live_maps_per_round", maxes);
	json_object_object_add(out, "live_maps_over_time", series);
	snprintf(hex, sizeof(hex), "%016" PRIx64, hash);
	json_object_object_add(out, "oplog_hash", json_object_new_string(hex));
	json_object_object_add(out, "oplog_hash_per_round", hashes);
	json_object_object_add(out, "failure",
			       ret ? json_object_new_string(fail_msg) : NULL);
	json_object_object_add(out, "replay", json_object_new_string(replay));
	/* Said before the JSON, which stdout buffers: never inside it. */
	if (ret)
		fprintf(stderr, "kvmi-stress: FAILED: %s\nkvmi-stress: replay with: %s\n",
			fail_msg, replay);
	printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY));
	fflush(stdout);
	json_object_put(out);
	free(replay);
	close(fd);
	return ret ? 1 : 0;
}
