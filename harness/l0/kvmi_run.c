// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-run: the L0 test runner. Builds the initramfs images, boots L1 under
 * TCG once per test (l1_boot.c), streams every console into
 * results/<run-id>/<test>/, watches them for kernel trouble, enforces the
 * per-test timeout and prints KTAP ending in "N passed, N failed".
 */
#define _GNU_SOURCE
#include "cli.h"
#include "junit.h"
#include "kvmi_run.h"
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

volatile int interrupted;

/* -j N: the runner's children, one per test under way */
#define MAX_JOBS 8
static pid_t children[MAX_JOBS];

static void on_signal(int sig)
{
	interrupted = sig;
	kill_current();
	for (int i = 0; i < MAX_JOBS; i++)
		if (children[i] > 0)
			kill(children[i], SIGTERM);
}

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("kvmi: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* Meta-tests check that a failure is detected: the expected failure passes. */
static void apply_expect(const struct test *t, struct outcome *o)
{
	char was[sizeof(o->reason)];

	o->pass = o->v == V_PASS;
	if (!t->expect)
		return;
	strfmt(was, sizeof(was), "%s", o->reason);
	if (!strcmp(t->expect, "watchdog")) {
		o->pass = o->v == V_WATCHDOG &&
			  strstr(o->watchdog, t->match ? t->match : "kvmi-harness watchdog self-test");
		if (o->pass && t->splat && !(o->splat && strstr(o->splat, t->splat))) {
			o->pass = false;
			strfmt(was, sizeof(was), "%s, without \"%s\" in the lines quoted",
			       o->reason, t->splat);
		}
	} else if (!strcmp(t->expect, "timeout")) {
		/*
		 * A hang with L1 alive is the job's: reported, never retried,
		 * with the results the job had reached (match) shown.
		 */
		o->pass = o->v == V_TIMEOUT && !o->retried &&
			  (!t->match || (o->nested && strstr(o->nested, t->match)));
		if (o->v == V_TIMEOUT && t->match && !o->pass)
			strfmt(was, sizeof(was), "%s, without \"%s\" in its results",
			       o->reason, t->match);
	} else if (!strcmp(t->expect, "fail")) {
		/* The job's failure, for the reason match says, never retried. */
		o->pass = o->v == V_FAIL && !o->retried &&
			  (!t->match || strstr(o->reason, t->match));
	} else if (!strcmp(t->expect, "retry")) {
		/* match: what the first attempt's reason must say (its evidence) */
		bool said = !t->match || (o->first_reason && strstr(o->first_reason, t->match));

		/*
		 * within: the freeze is seen this long after L1's last line,
		 * however long L1 took to boot (4 times as long on the debug
		 * kernel) and well before the test's timeout.
		 */
		o->pass = o->v == V_PASS && o->retried && said &&
			  (!t->within || o->first_silent <= t->within);
		if (!o->retried)
			strfmt(was, sizeof(was), "no retry (%s)", o->reason[0] ? o->reason : "pass");
		else if (t->within && o->first_silent > t->within)
			strfmt(was, sizeof(was),
			       "the first attempt ended %.0fs after L1's last line, over %ds",
			       o->first_silent, t->within);
		else if (!said)
			strfmt(was, sizeof(was), "the first attempt ended without \"%s\": %s",
			       t->match, o->first_reason);
	} else {
		o->pass = false;
		strfmt(o->reason, sizeof(o->reason), "unknown expect \"%s\"",
		       t->expect);
		return;
	}
	if (o->pass && !strcmp(t->expect, "retry"))
		strfmt(o->reason, sizeof(o->reason),
		       "retried once after L1 stopped (first attempt %.0fs, %.0fs after L1's last line), then passed",
		       o->first_secs, o->first_silent);
	else if (o->pass)
		strfmt(o->reason, sizeof(o->reason),
		       "runner reported the expected failure: %s", was);
	else
		strfmt(o->reason, sizeof(o->reason),
		       "expected a %s failure, got: %s", t->expect,
		       was[0] ? was : "pass");
}

/*
 * L1 under TCG has, rarely, reset itself or frozen with nested guests
 * running (README). Those signatures, and nothing else, get one more try;
 * the first attempt's consoles are kept.
 */
static void run_one(struct env *env, struct test *t, const char *dir,
		    struct outcome *o)
{
	int64_t t0 = now_ms();
	char *old, *first;

	if (!t->job) {
		run_l0(env, t, dir, o);
		return;
	}
	run_l1(env, t, dir, o);
	if ((o->v != V_RESET && o->v != V_FROZEN) || env->no_retry ||
	    (t->expect && !strcmp(t->expect, "watchdog")))
		return;
	old = xasprintf("%s.attempt1", dir);
	ktap_diag(&env->k, "[%s] %s; retrying once, first attempt in %s",
		  t->name, o->reason, old);
	rename(dir, old);
	free(old);
	first = xstrdup(o->reason);
	free(o->nested);
	free(o->splat);
	*o = (struct outcome){ .l1_userspace = -1, .retried = true,
			       .first_secs = (now_ms() - t0) / 1000.0,
			       .first_silent = o->silent, .first_reason = first };
	mkdir_p(dir);
	run_l1(env, t, dir, o);
}

static struct json_object *result_json(const struct test *t,
				       const struct outcome *o)
{
	struct json_object *jt = json_object_new_object();

	static const char *const verdicts[] = {
		[V_PASS] = "pass", [V_FAIL] = "fail", [V_WATCHDOG] = "watchdog",
		[V_TIMEOUT] = "timeout", [V_FROZEN] = "frozen", [V_RESET] = "reset",
		[V_ERROR] = "error", [V_INTERRUPTED] = "interrupted",
	};

	json_object_object_add(jt, "name", json_object_new_string(t->name));
	json_object_object_add(jt, "level", json_object_new_string(t->job ? "L1" : "L0"));
	json_object_object_add(jt, "verdict", json_object_new_string(verdicts[o->v]));
	json_object_object_add(jt, "result",
			       json_object_new_string(o->pass ? "pass" : "fail"));
	json_object_object_add(jt, "reason", json_object_new_string(o->reason));
	json_object_object_add(jt, "seconds", json_object_new_double(o->secs));
	json_object_object_add(jt, "retried", json_object_new_boolean(o->retried));
	if (o->first_reason)	/* why the first attempt ended */
		json_object_object_add(jt, "first_attempt",
				       json_object_new_string(o->first_reason));
	if (t->vars)	/* the stack it ran on differs from the run's */
		json_object_object_add(jt, "vars", json_object_get(t->vars));
	if (o->l1_userspace >= 0)
		json_object_object_add(jt, "l1_userspace_seconds",
				       json_object_new_double(o->l1_userspace));
	if (o->shutdown[0])
		json_object_object_add(jt, "l1_shutdown", json_object_new_string(o->shutdown));
	if (o->nested)
		json_object_object_add(jt, "ktap", json_object_new_string(o->nested));
	if (o->v == V_WATCHDOG && o->splat)
		json_object_object_add(jt, "kernel_message", json_object_new_string(o->splat));
	return jt;
}

static void report(struct env *env, const struct test *t, struct outcome *o)
{
	apply_expect(t, o);
	if (o->nested && !t->expect)
		ktap_nested(&env->k, o->nested);
	if (o->l1_userspace >= 0)
		ktap_diag(&env->k, "[%s] L1 userspace after %.1fs", t->name,
			  o->l1_userspace);
	ktap_diag(&env->k, "[%s] %.1fs%s%s", t->name, o->secs,
		  o->reason[0] ? ": " : "", o->reason);
	/* KTAP's directive for a test its runner stopped: TIMEOUT */
	ktap_result(&env->k, o->pass ? KTAP_PASS : KTAP_FAIL, t->name,
		    !o->pass && (o->v == V_TIMEOUT || o->v == V_FROZEN) ?
		    "TIMEOUT" : NULL);
}

/* results/<run>/report.html, for people (kvmi-report). */
static void write_report(struct env *env)
{
	char *bin = xasprintf("%s/bin/kvmi-report", env->build);
	char *log = xasprintf("%s/report.log", env->run_dir);
	struct proc_opts po = { .out_path = log, .truncate = true,
				.die_with_parent = true };
	struct proc p;
	int status = -1;

	if (!proc_start(&p, (char *[]){ bin, env->run_dir, NULL }, &po) &&
	    proc_wait_until(&p, now_ms() + 300000, &status))
		proc_kill(&p, 0, &status);
	if (status)
		ktap_diag(&env->k, "kvmi-report failed: see %s", log);
	else
		ktap_diag(&env->k, "report: %s/report.html", env->run_dir);
	free(bin);
	free(log);
}

void write_summary(struct env *env, struct json_object *jtests, double secs)
{
	struct json_object *summary = json_object_new_object();
	char *sp = xasprintf("%s/summary.json", env->run_dir);

	json_object_object_add(summary, "abi", json_object_new_string(env->abi));
	json_object_object_add(summary, "kernel_root",
			       json_object_new_string(env->kroot[0] ? env->kroot : "/"));
	json_object_object_add(summary, "run_dir", json_object_new_string(env->run_dir));
	json_object_object_add(summary, "l2_debug_kernel", json_object_new_string(env->l2dbg_abi));
	json_object_object_add(summary, "tests", jtests);
	json_object_object_add(summary, "passed", json_object_new_int(env->k.pass));
	json_object_object_add(summary, "failed", json_object_new_int(env->k.fail));
	json_object_object_add(summary, "retries", json_object_new_int(env->retries));
	json_object_object_add(summary, "unexpected_retries",
			       json_object_new_int(env->unexpected_retries));
	json_object_object_add(summary, "seconds", json_object_new_double(secs));
	json_object_object_add(summary, "planned", json_object_new_int(env->planned));
	json_object_object_add(summary, "selection", json_object_new_string(env->selection));
	if (env->nshards) {
		char sh[32];

		strfmt(sh, sizeof(sh), "%d/%d", env->shard, env->nshards);
		json_object_object_add(summary, "shard", json_object_new_string(sh));
	}
	if (env->shards)
		json_object_object_add(summary, "shards", env->shards);
	if (env->l1_qemu[0]) {
		struct json_object *st = json_object_new_object();

		json_object_object_add(st, "l1_qemu", json_object_new_string(env->l1_qemu));
		json_object_object_add(st, "l1_qemu_version",
				       json_object_new_string(env->l1_qemu_version));
		json_object_object_add(st, "l1_smp", json_object_new_string(env->l1_smp));
		json_object_object_add(st, "l1_tick", json_object_new_string(env->l1_tick));
		json_object_object_add(st, "jobs", json_object_new_int(env->jobs));
		json_object_object_add(summary, "stack", st);
	}
	json_object_to_file_ext(sp, summary, JSON_C_TO_STRING_PRETTY);
	free(sp);
	sp = xasprintf("%s/junit.xml", env->run_dir);
	if (junit_write(sp, summary))
		fprintf(stderr, "kvmi: cannot write %s\n", sp);
	free(sp);
	json_object_put(summary);
	write_report(env);
}

/* The tests named on the command line, or all; exits on an unknown name. */
static bool *select_tests(struct test *tests, int ntests, int argc,
			  char **argv, int *nsel)
{
	bool *sel = xmalloc(ntests * sizeof(bool));

	*nsel = 0;
	for (int a = 0; a < argc; a++) {
		int i;

		for (i = 0; i < ntests && strcmp(argv[a], tests[i].name); i++)
			;
		if (i == ntests)
			die("no test named %s (kvmi-run -l lists them)", argv[a]);
	}
	for (int i = 0; i < ntests; i++) {
		sel[i] = !argc;
		for (int a = 0; a < argc; a++)
			if (!strcmp(argv[a], tests[i].name))
				sel[i] = true;
		*nsel += sel[i];
	}
	return sel;
}

/* ---- the suite loop ---------------------------------------------------- */

static void run_test(struct env *env, struct test *t, int timeout,
		     struct outcome *o, char **dirp)
{
	int64_t ts = now_ms();

	*o = (struct outcome){ .l1_userspace = -1 };
	if (timeout)
		t->timeout = timeout;
	*dirp = xasprintf("%s/%s", env->run_dir, t->name);
	mkdir_p(*dirp);
	run_one(env, t, *dirp, o);
	o->secs = (now_ms() - ts) / 1000.0;
}

static void finish_test(struct env *env, struct test *t, struct outcome *o,
			struct json_object *jtests)
{
	env->retries += o->retried;
	env->unexpected_retries += retry_unexpected(t, o->retried);
	report(env, t, o);
	json_object_array_add(jtests, result_json(t, o));
	free(o->nested);
	free(o->splat);
	free(o->first_reason);
}

/*
 * A child of -j N hands its outcome to the runner in <dir>/outcome.json;
 * the runner reports it, in suite order.
 */
static void outcome_save(const char *dir, const struct outcome *o)
{
	struct json_object *j = json_object_new_object();
	char *p = xasprintf("%s/outcome.json", dir);

	json_object_object_add(j, "v", json_object_new_int(o->v));
	json_object_object_add(j, "retried", json_object_new_boolean(o->retried));
	json_object_object_add(j, "first_secs", json_object_new_double(o->first_secs));
	json_object_object_add(j, "first_silent", json_object_new_double(o->first_silent));
	json_object_object_add(j, "secs", json_object_new_double(o->secs));
	json_object_object_add(j, "l1_userspace", json_object_new_double(o->l1_userspace));
	json_object_object_add(j, "reason", json_object_new_string(o->reason));
	json_object_object_add(j, "watchdog", json_object_new_string(o->watchdog));
	json_object_object_add(j, "shutdown", json_object_new_string(o->shutdown));
	if (o->nested)
		json_object_object_add(j, "nested", json_object_new_string(o->nested));
	if (o->splat)
		json_object_object_add(j, "splat", json_object_new_string(o->splat));
	if (o->first_reason)
		json_object_object_add(j, "first_reason", json_object_new_string(o->first_reason));
	if (json_object_to_file(p, j))
		fprintf(stderr, "kvmi: cannot write %s\n", p);
	json_object_put(j);
	free(p);
}

static const char *jstr(struct json_object *j, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(j, key, &v) ? json_object_get_string(v) : "";
}

static double jnum(struct json_object *j, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(j, key, &v) ? json_object_get_double(v) : 0;
}

static void outcome_load(const char *dir, struct outcome *o)
{
	char *p = xasprintf("%s/outcome.json", dir);
	struct json_object *j = json_object_from_file(p);

	*o = (struct outcome){ .l1_userspace = -1 };
	if (!j) {
		o->v = V_ERROR;
		strfmt(o->reason, sizeof(o->reason),
		       "the runner's child for this test died without an outcome");
		free(p);
		return;
	}
	o->v = (enum verdict)jnum(j, "v");
	o->retried = json_object_get_boolean(json_object_object_get(j, "retried"));
	o->first_secs = jnum(j, "first_secs");
	o->first_silent = jnum(j, "first_silent");
	o->secs = jnum(j, "secs");
	o->l1_userspace = jnum(j, "l1_userspace");
	strfmt(o->reason, sizeof(o->reason), "%s", jstr(j, "reason"));
	strfmt(o->watchdog, sizeof(o->watchdog), "%s", jstr(j, "watchdog"));
	strfmt(o->shutdown, sizeof(o->shutdown), "%s", jstr(j, "shutdown"));
	if (json_object_object_get(j, "nested"))
		o->nested = xstrdup(jstr(j, "nested"));
	if (json_object_object_get(j, "splat"))
		o->splat = xstrdup(jstr(j, "splat"));
	if (json_object_object_get(j, "first_reason"))
		o->first_reason = xstrdup(jstr(j, "first_reason"));
	json_object_put(j);
	unlink(p);
	free(p);
}

static void run_serial(struct env *env, struct test *tests, int ntests,
		       const bool *sel, int timeout, struct json_object *jtests)
{
	for (int i = 0; i < ntests && !interrupted; i++) {
		struct outcome o;
		char *dir;

		if (!sel[i])
			continue;
		run_test(env, &tests[i], timeout, &o, &dir);
		finish_test(env, &tests[i], &o, jtests);
		free(dir);
	}
}

/*
 * -j N: up to N tests at once, each in a child with its own L1 (and QMP
 * socket); results are reported in suite order as they become known.
 */
static void run_parallel(struct env *env, struct test *tests, int ntests,
			 const bool *sel, int timeout, struct json_object *jtests,
			 int jobs)
{
	int *slot_test = xmalloc(jobs * sizeof(int));
	int *state = xmalloc(ntests * sizeof(int));	/* 0 todo, 1 running, 2 done */
	int next = 0, reported = 0, running = 0;
	pid_t runner = getpid();
	sigset_t stop, was;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	for (int i = 0; i < ntests; i++)
		state[i] = sel[i] ? 0 : 2;
	for (;;) {
		int status, s;
		pid_t pid;

		while (running < jobs && !interrupted) {
			for (; next < ntests && state[next]; next++)
				;
			if (next == ntests)
				break;
			for (s = 0; children[s] > 0; s++)
				;
			fflush(NULL);
			/* A signal now must find the child in children[]. */
			sigprocmask(SIG_BLOCK, &stop, &was);
			pid = fork();
			if (pid < 0)
				die("fork: %s", strerror(errno));
			if (pid == 0) {
				struct outcome o;
				char *dir;

				memset(children, 0, sizeof(children));
				/* The runner killed: stop this test's QEMU */
				if (prctl(PR_SET_PDEATHSIG, SIGTERM) ||
				    getppid() != runner)
					_exit(1);
				sigprocmask(SIG_SETMASK, &was, NULL);
				strfmt(env->qmp, sizeof(env->qmp),
				       "/tmp/kvmi-run-%d-l1.qmp", (int)getpid());
				run_test(env, &tests[next], timeout, &o, &dir);
				outcome_save(dir, &o);
				fflush(NULL);
				_exit(0);
			}
			children[s] = pid;
			sigprocmask(SIG_SETMASK, &was, NULL);
			slot_test[s] = next;
			state[next] = 1;
			running++;
		}
		for (; reported < ntests && state[reported] == 2; reported++) {
			struct outcome o;
			char *dir;

			if (!sel[reported])
				continue;
			dir = xasprintf("%s/%s", env->run_dir, tests[reported].name);
			outcome_load(dir, &o);
			finish_test(env, &tests[reported], &o, jtests);
			free(dir);
		}
		if (!running)
			break;
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			die("waitpid: %s", strerror(errno));
		for (s = 0; s < jobs; s++) {
			if (children[s] != pid)
				continue;
			children[s] = 0;
			state[slot_test[s]] = 2;
			running--;
		}
	}
	free(slot_test);
	free(state);
}

/* --repeat N: each selected test N times over, as NAME_1 ... NAME_N. */
static int repeat_tests(struct test **tests, int ntests, bool **sel,
			int repeat, int *nsel)
{
	struct test *t = xmalloc((size_t)*nsel * repeat * sizeof(*t));
	int n = 0;

	for (int i = 0; i < ntests; i++) {
		if (!(*sel)[i])
			continue;
		for (int r = 1; r <= repeat; r++) {
			t[n] = (*tests)[i];
			t[n++].name = xasprintf("%s_%d", (*tests)[i].name, r);
		}
	}
	free(*sel);
	*sel = xmalloc(n * sizeof(bool));
	for (int i = 0; i < n; i++)
		(*sel)[i] = true;
	*tests = t;
	*nsel = n;
	return n;
}

static const char usage[] =
	"usage: kvmi-run [-t SECS] [TEST...]   run all tests, or the named ones\n"
	"       kvmi-run -l                    list the tests\n"
	"       kvmi-run [-t SECS] --job FILE  boot the stack and run one L1 job\n"
	"       kvmi-run --shard I/N [TEST...] run the I-th of N shards of the suite\n"
	"       kvmi-run --merge DIR...        join shards' results/<run> dirs into one run\n"
	"  -t, --timeout SECS  per-test timeout (default: the suite's, else 120)\n"
	"  -l, --list          list the tests: name, where it runs, timeout\n"
	"      --set KEY=VALUE a vmconfig variable (L1_SMP=1, L1_QEMU=PATH, ...)\n"
	"      --no-retry      no second try after L1 froze or reset (measuring)\n"
	"  -j, --jobs N        run up to N tests at once, each in its own L1\n"
	"      --repeat N      run each selected test N times (NAME_1 ... NAME_N)\n"
	"      --kernel ROOT   boot the kernel installed under ROOT (ROOT/boot/vmlinuz-REL,\n"
	"                      ROOT/lib/modules/REL) in L1, with our\n"
	"                      modules from build/kernel/REL (make test KERNEL=debug); its\n"
	"                      ROOT/boot/kvmi-REL.json may add kernel parameters and\n"
	"                      scale the suite's timeouts\n"
	"      --l2-kernel ROOT\n"
	"                      and every L2 VM boots the kernel under ROOT, with our\n"
	"                      modules from build/kernel/REL (the tests that need it,\n"
	"                      suite.json \"l2_kernel\": \"debug\", run only with it)\n"
	"      --results DIR   put the run's directory in DIR, not in results/\n"
	"  -h, --help          this help;  --version  the version\n"
	"Results go to results/<run-id>/ (results/latest); KTAP on stdout.\n"
	"--merge wants every shard I/N of one N, run on the same kernel with the\n"
	"same tests named, each once.\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "job", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "shard", required_argument, NULL, 's' },
		{ "merge", no_argument, NULL, 'm' },
		{ "set", required_argument, NULL, 'S' },
		{ "no-retry", no_argument, NULL, 'R' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "results", required_argument, NULL, 'o' },
		{ "l2-kernel", required_argument, NULL, 'K' },
		{ 0 }
	};
	struct env env = { 0 };
	struct vars set = { 0 };
	struct json_object *suite = NULL, *jtests;
	struct test *tests, adhoc = { 0 };
	int ntests = 0, timeout = 0, c, nsel, jobs = 1;
	int repeat = 1;
	bool list = false, merge = false, *sel;
	char exe[PATH_MAX], debug_only[1024] = "";
	int64_t t0 = now_ms();

	while ((c = getopt_long(argc, argv, "lt:j:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list = true;
			break;
		case 't':
			timeout = (int)cli_u64_range("kvmi-run", optarg, 1, 86400);
			break;
		case 'B':
			adhoc.job = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			return cli_version("kvmi-run");
		case 's':
			parse_shard(optarg, &env.shard, &env.nshards);
			break;
		case 'm':
			merge = true;
			break;
		case 'S':
			if (!strchr(optarg, '='))
				die("--set wants KEY=VALUE, not \"%s\"", optarg);
			*strchr(optarg, '=') = '\0';
			vars_set(&set, optarg, optarg + strlen(optarg) + 1);
			break;
		case 'R':
			env.no_retry = true;
			break;
		case 'r':
			repeat = (int)cli_u64_range("kvmi-run", optarg, 1, 10000);
			break;
		case 'j':
			jobs = (int)cli_u64_range("kvmi-run", optarg, 1, MAX_JOBS);
			break;
		case 'k':
			if (!realpath(optarg, env.kroot))
				die("--kernel %s: %s", optarg, strerror(errno));
			break;
		case 'K':
			if (!realpath(optarg, env.l2root))
				die("--l2-kernel %s: %s", optarg, strerror(errno));
			break;
		case 'o':
			if (mkdir_p(optarg) || !realpath(optarg, env.results))
				die("--results %s: %s", optarg, strerror(errno));
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	/* build/bin/kvmi-run -> the project root */
	if (!realpath("/proc/self/exe", exe))
		die("cannot find myself");
	strfmt(env.top, sizeof(env.top), "%s", dirname(dirname(dirname(exe))));
	strfmt(env.build, sizeof(env.build), "%s/build", env.top);
	strfmt(env.qmp, sizeof(env.qmp), "/tmp/kvmi-run-%d-l1.qmp", (int)getpid());
	env.set = &set;

	if (merge) {
		if (optind == argc)
			die("--merge wants the results directories of the shards");
		ntests = load_suite(&env, &suite, &tests);
		make_run_dir(&env);
		return merge_runs(&env, tests, ntests, argc - optind, argv + optind);
	}
	if (adhoc.job) {
		char *abs = realpath(adhoc.job, NULL);

		if (!abs || strncmp(abs, env.top, strlen(env.top)))
			die("%s: the job must be a file inside %s", adhoc.job, env.top);
		adhoc.job = abs + strlen(env.top) + 1;
		adhoc.name = xstrdup(basename(abs));
		*strchrnul((char *)adhoc.name, '.') = '\0';
		adhoc.timeout = DEFAULT_TIMEOUT;
		tests = &adhoc;
		ntests = 1;
	} else {
		ntests = load_suite(&env, &suite, &tests);
	}
	if (chdir(env.top))
		die("cannot enter %s", env.top);
	if (list) {
		for (int i = 0; i < ntests; i++)
			if (in_shard(i, env.shard, env.nshards))
					printf("%-20s %s %ds%s%s\n", tests[i].name,
				       tests[i].job ? "L1" : "L0", tests[i].timeout,
				       tests[i].expect ? " expect=" : "",
				       tests[i].expect ? tests[i].expect : "");
		return 0;
	}
	sel = select_tests(tests, ntests, argc - optind, argv + optind, &nsel);
	for (int a = optind; a < argc; a++)
		strfmt(env.selection + strlen(env.selection),
		       sizeof(env.selection) - strlen(env.selection), "%s%s",
		       a > optind ? " " : "", argv[a]);
	for (int i = 0; i < ntests && env.nshards; i++) {
		nsel -= sel[i] && !in_shard(i, env.shard, env.nshards);
		sel[i] = sel[i] && in_shard(i, env.shard, env.nshards);
	}
	if (repeat > 1)
		ntests = repeat_tests(&tests, ntests, &sel, repeat, &nsel);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	preflight(&env);
	for (int i = 0; i < ntests; i++)	/* a slower kernel's (kprofile.h) */
		tests[i].timeout *= env.kp.timeout_scale;
	take_lock();
	make_run_dir(&env);
	/* The detectors' meta-tests and fail_nth: not in the plan without a debug kernel. */
	for (int i = 0; i < ntests; i++) {
		if (!sel[i] || !tests[i].needs_debug ||
		    (env.kroot[0] && (!tests[i].needs_l2_debug || env.l2root[0])))
			continue;
		sel[i] = false;
		nsel--;
		strfmt(debug_only + strlen(debug_only), sizeof(debug_only) - strlen(debug_only),
		       " %s", tests[i].name);
	}
	env.planned = nsel;
	ktap_start(&env.k, stdout, nsel);
	if (debug_only[0])
		ktap_diag(&env.k, "not in this run, they need a debug kernel (make test KERNEL=debug):%s",
			  debug_only);
	ktap_diag(&env.k, "kvmi-run: kernel %s, results in %s", env.abi, env.run_dir);
	if (env.kroot[0])
		ktap_diag(&env.k, "kernel installed under %s, our modules in %s; "
			  "kernel parameters \"%s\", timeouts x%d", env.kroot, env.kbuild,
			  env.kp.cmdline, env.kp.timeout_scale);
	if (env.l2root[0])
		ktap_diag(&env.k, "L2 debug kernel %s under %s, in every L2 VM",
			  env.l2dbg_abi, env.l2root);
	build_initramfs(&env);
	env.jobs = jobs;
	stack_info(&env);
	ktap_diag(&env.k, "L1: QEMU %s (%s), %s vCPU(s), tick \"%s\"; %d L1 VM(s) at once",
		  env.l1_qemu_version, env.l1_qemu, env.l1_smp, env.l1_tick, jobs);

	jtests = json_object_new_array();
	if (jobs > 1)
		run_parallel(&env, tests, ntests, sel, timeout, jtests, jobs);
	else
		run_serial(&env, tests, ntests, sel, timeout, jtests);
	write_summary(&env, jtests, (now_ms() - t0) / 1000.0);
	ktap_diag(&env.k, "wall time %.1fs, %d test(s) retried after L1 froze or reset, "
		  "%d unexpectedly (not a meta-test's own retry)",
		  (now_ms() - t0) / 1000.0, env.retries, env.unexpected_retries);
	if (interrupted)
		ktap_diag(&env.k, "interrupted");
	ktap_finish(&env.k);
	json_object_put(suite);
	free(sel);
	return env.k.fail || interrupted ? 1 : 0;
}
