/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmi-run, the L0 test runner: what its three parts share.
 *   kvmi_run.c  the command line and the suite loop (retry, KTAP, summary)
 *   l1_boot.c   one L1 boot (or one L0 test): consoles, watchdog, verdict
 *   suite.c     tests/suite.json, preflight, initramfs images, run dir, lock
 *   merge.c     --shard I/N and --merge
 */
#ifndef KVMI_RUN_H
#define KVMI_RUN_H

#include "console.h"
#include "kprofile.h"
#include "ktap.h"
#include "vmconfig.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define DEFAULT_TIMEOUT 120

struct test {
	const char *name;
	char **host;		/* L0 command, or NULL for an L1 job */
	const char *job;	/* L1 job script, relative to TOP */
	int timeout;		/* seconds */
	const char *expect;	/* NULL, "watchdog", "timeout" or "retry" */
	const char *match;	/* watchdog: the kernel line must hold this */
	const char *splat;	/* watchdog: and the lines quoted after it */
	int within;		/* retry: a freeze is seen this many s after L1's last line */
	const char *l1_append;	/* more L1 kernel parameters for this test */
	bool needs_debug;	/* "kernel": "debug": runs only under --kernel */
	bool needs_l2_debug;	/* "l2_kernel": "debug": runs only with --l2-kernel */
	struct json_object *vars;	/* vmconfig variables it needs, or NULL */
};

/* How one attempt ended: exactly one of these. */
enum verdict {
	V_PASS,
	V_FAIL,		/* the job or L0 test reported failure */
	V_WATCHDOG,	/* a kernel message on some console */
	V_TIMEOUT,	/* the test's own hang: L1 was still beating */
	V_FROZEN,	/* timeout with L1's heartbeat gone */
	V_RESET,	/* L1 ended without a result or a kernel message */
	V_ERROR,	/* could not start, or crashed (L0 tests) */
	V_INTERRUPTED,
};

struct outcome {
	enum verdict v;
	int64_t last_beat;	/* now_ms() of L1's last console line */
	bool retried;
	double first_secs;	/* a retried test's first attempt */
	double first_silent;	/* its silence from L1, if it froze */
	double silent;		/* s from L1's last console line to the end */
	char *first_reason;	/* and why it ended */
	bool pass;		/* after the meta-test's expectation */
	char reason[CONSOLE_LINE_MAX + 256];
	char watchdog[CONSOLE_LINE_MAX + 64];	/* the first kernel message */
	int64_t watchdog_ms;	/* when it was seen */
	int64_t splat_last_ms;	/* when its latest line came */
	bool splat_done;	/* its "---[ end trace" came */
	char *splat;		/* its console's lines around it */
	int splat_lines;
	double secs;
	double l1_userspace;	/* seconds from QEMU start, or -1 */
	char shutdown[64];	/* L1's QMP SHUTDOWN reason, if it came */
	char *nested;		/* the test's own KTAP output */
};

struct env {
	char top[PATH_MAX];
	char build[PATH_MAX];
	char run_dir[PATH_MAX];
	char abi[128];
	/* --kernel ROOT: a kernel installed under ROOT (ROOT/boot/vmlinuz-ABI,
	 * ROOT/lib/modules/ABI), not /; kbuild: our modules and the initramfs
	 * images for that kernel (build/, or build/kernel/ABI for another).
	 */
	char kroot[PATH_MAX];
	char kbuild[PATH_MAX];
	/* L2's kernel: Debian's (our modules and images for it are in build). */
	char l2_abi[128];
	/* --l2-kernel ROOT: the L2 debug kernel, for the tests that ask for it;
	 * l2dbg_kbuild: our modules, its vmlinux and the images for it.
	 */
	char l2root[PATH_MAX];
	char l2dbg_abi[128];
	char l2dbg_kbuild[PATH_MAX];
	struct kprofile kp;	/* ROOT/boot/kvmi-ABI.json: cmdline, timeout scale */
	char qmp[108];		/* L1's QMP socket (sun_path is 108 bytes) */
	int retries;		/* tests run twice after L1 froze or reset */
	int unexpected_retries;	/* of them, tests that do not expect a retry */
	bool no_retry;		/* --no-retry: measure, do not forgive */
	struct vars *set;	/* --set KEY=VALUE, for the vmconfigs */
	int jobs;		/* -j: L1 VMs at once */
	/* The stack, for summary.json and the report: L1's QEMU, vCPUs, tick. */
	char l1_qemu[PATH_MAX];
	char l1_qemu_version[128];
	char l1_smp[16];
	char l1_tick[64];	/* L1_TICK: L1's tick parameters */
	/* --shard I/N (0/0: the whole suite), the tests named (empty: all),
	 * and how many tests this run planned: summary.json records them, so
	 * --merge can check it was given every shard of one suite, once.
	 */
	int shard, nshards;
	char selection[1024];
	int planned;
	char results[PATH_MAX];	/* --results DIR (default TOP/results) */
	struct json_object *shards;	/* --merge: each shard's dir, shard, seconds */
	struct ktap k;
};

extern volatile int interrupted;

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* results/<run>/summary.json and junit.xml; takes jtests. */
void write_summary(struct env *env, struct json_object *jtests, double secs);

/* l1_boot.c */
void run_l1(struct env *env, const struct test *t, const char *dir,
	    struct outcome *o);
void run_l0(struct env *env, const struct test *t, const char *dir,
	    struct outcome *o);
void kill_current(void);

/* merge.c */
bool in_shard(int index, int shard, int nshards);
void parse_shard(const char *s, int *shard, int *nshards);
int merge_runs(struct env *env, struct test *tests, int ntests, int ndirs,
	       char **dirs);

/* suite.c */
bool retry_unexpected(const struct test *t, bool retried);
int load_suite(struct env *env, struct json_object **root, struct test **tests);
void preflight(struct env *env);
void kernel_vars(const struct env *env, struct vars *vars, bool l1);
void build_initramfs(struct env *env);
void make_run_dir(struct env *env);
void take_lock(void);
void stack_info(struct env *env);

#endif
