// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-run: the L0 test runner. Builds the initramfs images, boots L1 under
 * TCG once per test, streams every console into results/<run-id>/<test>/,
 * watches them for kernel trouble, enforces the per-test timeout and prints
 * KTAP ending in "N passed, N failed".
 */
#define _GNU_SOURCE
#include "console.h"
#include "initramfs.h"
#include "ktap.h"
#include "proc.h"
#include "util.h"
#include "vmconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT 120
#define TAIL_LINES 25
#define MAX_TAILS 8
#define RUN_LOCK "/tmp/kvmi-run.lock"
#define HEARTBEAT_LOST_MS 45000	/* L1 beats every 10 s */

struct test {
	const char *name;
	char **host;		/* host command, or NULL for an L1 job */
	const char *job;	/* L1 job script, relative to TOP */
	int timeout;		/* seconds */
	const char *expect;	/* NULL, "watchdog" or "timeout" */
};

struct outcome {
	bool pass;
	bool timed_out;
	bool no_result;		/* L1 ended cleanly without reporting */
	bool frozen;		/* timed out after L1's heartbeat stopped */
	int64_t last_beat;	/* now_ms() of L1's last heartbeat */
	bool retried;
	char reason[CONSOLE_LINE_MAX + 256];
	char watchdog[CONSOLE_LINE_MAX + 64];
	double secs;
	double l1_userspace;	/* seconds from QEMU start, or -1 */
	char *nested;		/* the test's own KTAP output */
};

struct env {
	char top[PATH_MAX];
	char build[PATH_MAX];
	char run_dir[PATH_MAX];
	char abi[128];
	struct ktap k;
};

static volatile sig_atomic_t interrupted;
static pid_t current_group;

static void on_signal(int sig)
{
	interrupted = sig;
	if (current_group > 0)
		kill(-current_group, SIGKILL);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("kvmi: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* ---- consoles ---------------------------------------------------------- */

struct console {
	const char *src;	/* "l1", "target", ... */
	struct linebuf lb;
	struct outcome *o;
	const char *test;
	int64_t t0;
	struct ktap *k;
	char tail[TAIL_LINES][CONSOLE_LINE_MAX];
	int ntail;
};

static void on_console_line(void *ctx, const char *line)
{
	struct console *c = ctx;
	const char *what = watchdog_match(line);
	double t = (now_ms() - c->t0) / 1000.0;

	snprintf(c->tail[c->ntail++ % TAIL_LINES], CONSOLE_LINE_MAX, "%s", line);
	if (what && !c->o->watchdog[0])
		snprintf(c->o->watchdog, sizeof(c->o->watchdog), "%s (%s console): %s",
			 what, c->src, line);
	if (strcmp(c->src, "l1"))
		return;
	if (strstr(line, "kvmi-l1: userspace") && c->o->l1_userspace < 0)
		c->o->l1_userspace = t;
	if (strstr(line, "kvmi-l1: heartbeat")) {
		c->o->last_beat = now_ms();
		return;
	}
	/* Harness lines from L1 are progress. */
	const char *m = strstr(line, "kvmi-");

	if (m && (!strncmp(m, "kvmi-l1:", 8) || !strncmp(m, "kvmi-vm:", 8) ||
		  !strncmp(m, "kvmi-job:", 9)))
		ktap_diag(c->k, "[%s %6.1fs] %s", c->test, t, m);
}

struct tail {
	char name[NAME_MAX + 1];
	int fd;
	struct console con;
};

struct tails {
	int n;
	struct tail t[MAX_TAILS];
};

static void pump_fd(int fd, struct console *c)
{
	char buf[8192];
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		linebuf_feed(&c->lb, buf, r, on_console_line, c);
}

/* Follow the L2 consoles that QEMU inside L1 writes into the run dir. */
static void pump_tails(struct tails *ts, const char *dir, const struct console *proto)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		int i;

		if (len < 12 || strcmp(e->d_name + len - 12, "-console.log") ||
		    !strcmp(e->d_name, "l1-console.log"))
			continue;
		for (i = 0; i < ts->n; i++)
			if (!strcmp(ts->t[i].name, e->d_name))
				break;
		if (i < ts->n || ts->n == MAX_TAILS)
			continue;
		struct tail *t = &ts->t[ts->n];
		char *p = xasprintf("%s/%s", dir, e->d_name);

		t->fd = open(p, O_RDONLY | O_CLOEXEC);
		free(p);
		if (t->fd < 0)
			continue;
		snprintf(t->name, sizeof(t->name), "%s", e->d_name);
		t->con = *proto;
		t->con.src = t->name;
		t->con.ntail = 0;
		ts->n++;
	}
	if (d)
		closedir(d);
	for (int i = 0; i < ts->n; i++)
		pump_fd(ts->t[i].fd, &ts->t[i].con);
}

static void close_tails(struct tails *ts)
{
	for (int i = 0; i < ts->n; i++) {
		linebuf_flush(&ts->t[i].con.lb, on_console_line, &ts->t[i].con);
		close(ts->t[i].fd);
	}
	ts->n = 0;
}

static void diag_tail(struct ktap *k, const char *what, struct console *c)
{
	int first = c->ntail > TAIL_LINES ? c->ntail - TAIL_LINES : 0;

	ktap_diag(k, "---- last lines of the %s console ----", what);
	for (int i = first; i < c->ntail; i++)
		ktap_diag(k, "%s", c->tail[i % TAIL_LINES]);
}

/* ---- one L1 boot ------------------------------------------------------- */

static void run_l1(struct env *env, const struct test *t, const char *dir,
		   struct outcome *o)
{
	struct console con = { .src = "l1", .o = o, .test = t->name,
			       .t0 = now_ms(), .k = &env->k };
	struct tails tails = { 0 };
	struct vmconfig cfg;
	struct vars vars = { 0 };
	struct proc p;
	char **argv, *path, *job = xasprintf("%s/%s", env->top, t->job);
	int64_t deadline = con.t0 + (int64_t)t->timeout * 1000;
	int st = 0, logfd, ret;
	bool exited = false;

	vars_set(&vars, "ABI", env->abi);
	vars_set(&vars, "TOP", env->top);
	vars_set(&vars, "BUILD", env->build);
	vars_set(&vars, "RUN_DIR", dir);
	vars_set(&vars, "JOB", job);
	vars_set(&vars, "TEST", t->name);
	path = xasprintf("%s/vmconfigs/l1.json", env->top);
	if (vmconfig_load(&cfg, path, &vars) || !(argv = vmconfig_qemu_argv(&cfg)))
		die("%s", cfg.err);
	free(path);
	vars_free(&vars);

	path = xasprintf("%s/l1-console.log", dir);
	logfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	free(path);
	ret = proc_start(&p, argv, true, NULL);
	if (ret)
		die("cannot start %s: %s", argv[0], strerror(-ret));
	current_group = p.pid;
	fcntl(p.out, F_SETFL, O_NONBLOCK);
	ktap_diag(&env->k, "[%s] booting L1 (timeout %ds), consoles in %s",
		  t->name, t->timeout, dir);

	for (;;) {
		struct pollfd pfd = { .fd = p.out, .events = POLLIN };
		int64_t left = deadline - now_ms();

		if (left <= 0 || interrupted) {
			o->timed_out = !interrupted;
			break;
		}
		poll(&pfd, 1, left > 250 ? 250 : (int)left);
		char buf[8192];
		ssize_t r = read(p.out, buf, sizeof(buf));

		if (r > 0) {
			if (write(logfd, buf, r) != r)
				perror("kvmi: console log");
			linebuf_feed(&con.lb, buf, r, on_console_line, &con);
		}
		pump_tails(&tails, dir, &con);
		if (r == 0) {	/* QEMU closed stdout: it is exiting */
			exited = proc_wait_until(&p, now_ms() + 10000, &st) == 0;
			break;
		}
	}
	if (!exited)
		proc_kill(&p, 2000, &st);
	current_group = 0;
	linebuf_flush(&con.lb, on_console_line, &con);
	pump_tails(&tails, dir, &con);
	close_tails(&tails);
	close(p.out);
	close(logfd);

	char *sp = xasprintf("%s/status", dir), *kp = xasprintf("%s/ktap", dir);
	char *status = read_file(sp, NULL);

	o->nested = read_file(kp, NULL);
	free(sp);
	free(kp);
	o->frozen = o->timed_out &&
		    now_ms() - (o->last_beat ? o->last_beat : con.t0) > HEARTBEAT_LOST_MS;
	if (interrupted)
		snprintf(o->reason, sizeof(o->reason), "interrupted");
	else if (o->frozen)
		snprintf(o->reason, sizeof(o->reason),
			 "timeout after %ds, with L1 silent since %.0fs before: L1 froze",
			 t->timeout, (now_ms() - (o->last_beat ? o->last_beat : con.t0)) / 1000.0);
	else if (o->timed_out)
		snprintf(o->reason, sizeof(o->reason),
			 "timeout after %ds: QEMU killed", t->timeout);
	else if (o->watchdog[0])
		snprintf(o->reason, sizeof(o->reason), "watchdog: %s", o->watchdog);
	else if (!status) {
		o->no_result = true;
		snprintf(o->reason, sizeof(o->reason),
			 "L1 exited (status %d) without a result and with no kernel message: a CPU reset",
			 st);
	}
	else if (atoi(status) != 0)
		snprintf(o->reason, sizeof(o->reason), "job exited with %d",
			 atoi(status));
	else
		o->pass = true;
	if (!o->pass)
		diag_tail(&env->k, "L1", &con);
	free(status);
	free(job);
	strv_free(argv);
	vmconfig_free(&cfg);
}

static void run_host(struct env *env, const struct test *t, const char *dir,
		     struct outcome *o)
{
	char *log = xasprintf("%s/output.log", dir);
	struct proc p;
	int st, ret = proc_start(&p, t->host, false, log);

	if (ret) {
		snprintf(o->reason, sizeof(o->reason), "cannot start %s: %s",
			 t->host[0], strerror(-ret));
		free(log);
		return;
	}
	current_group = p.pid;
	if (proc_wait_until(&p, now_ms() + (int64_t)t->timeout * 1000, &st)) {
		proc_kill(&p, 1000, &st);
		o->timed_out = true;
		snprintf(o->reason, sizeof(o->reason), "timeout after %ds: killed",
			 t->timeout);
	} else if (WIFSIGNALED(st)) {
		snprintf(o->reason, sizeof(o->reason), "crashed: signal %d",
			 WTERMSIG(st));
	} else if (WEXITSTATUS(st)) {
		snprintf(o->reason, sizeof(o->reason), "exit status %d",
			 WEXITSTATUS(st));
	} else {
		o->pass = true;
	}
	current_group = 0;
	o->nested = read_file(log, NULL);
	(void)env;
	free(log);
}

/* Meta-tests check that a failure is detected: the expected failure passes. */
static void apply_expect(const struct test *t, struct outcome *o)
{
	char was[sizeof(o->reason)];

	if (!t->expect)
		return;
	snprintf(was, sizeof(was), "%s", o->reason);
	if (!strcmp(t->expect, "watchdog")) {
		o->pass = !o->timed_out && o->watchdog[0] &&
			  strstr(o->watchdog, "kvmi-harness watchdog self-test");
	} else if (!strcmp(t->expect, "timeout")) {
		/* a hang with L1 alive is the job's: reported, never retried */
		o->pass = o->timed_out && !o->retried;
	} else if (!strcmp(t->expect, "retry")) {
		o->pass = o->pass && o->retried;
		if (!o->retried)
			strfmt(was, sizeof(was), "no retry (%s)", o->reason[0] ? o->reason : "pass");
	} else {
		o->pass = false;
		snprintf(o->reason, sizeof(o->reason), "unknown expect \"%s\"",
			 t->expect);
		return;
	}
	if (o->pass && !strcmp(t->expect, "retry"))
		strfmt(o->reason, sizeof(o->reason),
		       "retried once after L1 stopped, then passed");
	else if (o->pass)
		strfmt(o->reason, sizeof(o->reason),
		       "runner reported the expected failure: %s", was);
	else
		strfmt(o->reason, sizeof(o->reason),
			 "expected a %s failure, got: %s", t->expect,
			 was[0] ? was : "pass");
}

/* ---- suite ------------------------------------------------------------- */

static int load_suite(struct env *env, struct json_object **root,
		      struct test **tests)
{
	char *path = xasprintf("%s/tests/suite.json", env->top);
	struct json_object *arr, *v;
	struct vars vars = { 0 };
	char err[256];
	int n;

	*root = json_object_from_file(path);
	if (!*root || !json_object_object_get_ex(*root, "tests", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		die("%s: %s", path, *root ? "no \"tests\" array" :
		    json_util_get_last_err());
	vars_set(&vars, "TOP", env->top);
	vars_set(&vars, "BUILD", env->build);
	n = json_object_array_length(arr);
	*tests = xmalloc(n * sizeof(**tests));
	for (int i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		struct test *t = &(*tests)[i];

		if (!json_object_object_get_ex(o, "name", &v))
			die("%s: test %d has no name", path, i);
		t->name = json_object_get_string(v);
		t->timeout = DEFAULT_TIMEOUT;
		if (json_object_object_get_ex(o, "timeout", &v))
			t->timeout = json_object_get_int(v);
		if (json_object_object_get_ex(o, "expect", &v))
			t->expect = json_object_get_string(v);
		if (json_object_object_get_ex(o, "job", &v))
			t->job = json_object_get_string(v);
		if (json_object_object_get_ex(o, "host", &v)) {
			int m = json_object_array_length(v);

			t->host = xmalloc((m + 1) * sizeof(char *));
			for (int j = 0; j < m; j++) {
				const char *s = json_object_get_string(
					json_object_array_get_idx(v, j));

				t->host[j] = vars_subst(&vars, s, err, sizeof(err));
				if (!t->host[j])
					die("%s: %s: %s", path, t->name, err);
			}
		}
		if (!t->job == !t->host)
			die("%s: %s needs exactly one of \"job\" or \"host\"",
			    path, t->name);
	}
	vars_free(&vars);
	free(path);
	return n;
}

/* ---- preflight --------------------------------------------------------- */

static void preflight(struct env *env)
{
	char *cmd = xasprintf("%s/harness/kernel-abi", env->top);
	FILE *f = popen(cmd, "r");
	char *p;

	if (!f || !fgets(env->abi, sizeof(env->abi), f) || pclose(f))
		exit(2);	/* kernel-abi explained why */
	env->abi[strcspn(env->abi, "\n")] = '\0';
	free(cmd);
	if (!in_path("qemu-system-x86_64"))
		die("qemu-system-x86_64 not found: install qemu-system-x86 (make deps)");
	if (!in_path("cpio"))
		die("cpio not found: install cpio (make deps)");
	p = xasprintf("/boot/vmlinuz-%s", env->abi);
	if (access(p, R_OK))
		die("%s missing: install linux-image-%s (make deps)", p, env->abi);
	free(p);
	for (const char *m = "host/kvm.ko\0host/kvm-amd.ko\0guest/kvmi_hctest.ko\0bin/kvmi-vm\0";
	     *m; m += strlen(m) + 1) {
		p = xasprintf("%s/%s", env->build, m);
		if (access(p, R_OK))
			die("%s missing: run make", p);
		free(p);
	}
}

static void build_initramfs(struct env *env)
{
	const char *names[] = { "l1", "target", "introspector" };
	struct vars vars = { 0 };

	vars_set(&vars, "ABI", env->abi);
	vars_set(&vars, "TOP", env->top);
	vars_set(&vars, "BUILD", env->build);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *cfgp = xasprintf("%s/vmconfigs/%s.json", env->top, names[i]);
		char *dir = xasprintf("%s/initramfs", env->build);
		char *out = xasprintf("%s/%s.cpio.gz", dir, names[i]);
		struct vmconfig c;
		struct stat st;
		char err[512];
		int64_t t0 = now_ms();

		mkdir_p(dir);
		if (vmconfig_load(&c, cfgp, &vars))
			die("%s", c.err);
		if (initramfs_build(&c, env->abi, out, err, sizeof(err)))
			die("initramfs %s: %s", names[i], err);
		stat(out, &st);
		ktap_diag(&env->k, "initramfs %s: %.1f MiB in %.1fs", names[i],
			  st.st_size / 1048576.0, (now_ms() - t0) / 1000.0);
		vmconfig_free(&c);
		free(cfgp);
		free(dir);
		free(out);
	}
	vars_free(&vars);
}

static void make_run_dir(struct env *env)
{
	char id[64], *base = xasprintf("%s/results", env->top), *link;
	time_t now = time(NULL);

	strftime(id, sizeof(id), "%Y%m%d-%H%M%S", localtime(&now));
	for (int i = 0; ; i++) {
		if (i)
			snprintf(env->run_dir, sizeof(env->run_dir), "%s/%s-%d", base, id, i);
		else
			snprintf(env->run_dir, sizeof(env->run_dir), "%s/%s", base, id);
		if (mkdir_p(base) == 0 && mkdir(env->run_dir, 0755) == 0)
			break;
		if (errno != EEXIST)
			die("cannot create %s: %s", env->run_dir, strerror(errno));
	}
	link = xasprintf("%s/latest", base);
	unlink(link);
	if (symlink(strrchr(env->run_dir, '/') + 1, link))
		perror("kvmi: results/latest");
	free(link);
	free(base);
}

/* QEMU under TCG is CPU-bound: one run at a time on this machine. */
static void take_lock(void)
{
	int fd = open(RUN_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0666);

	if (fd < 0)
		die("cannot open %s: %s", RUN_LOCK, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		fprintf(stderr, "kvmi: another kvmi-run holds %s; waiting\n", RUN_LOCK);
		if (flock(fd, LOCK_EX))
			die("flock %s: %s", RUN_LOCK, strerror(errno));
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kvmi-run [-t SECS] [TEST...]   run all tests, or the named ones\n"
		"       kvmi-run -l                    list the tests\n"
		"       kvmi-run [-t SECS] --job FILE  boot the stack and run one L1 job\n"
		"  -t, --timeout SECS  per-test timeout (default: the suite's, else %d)\n"
		"Results go to results/<run-id>/ (results/latest); KTAP on stdout.\n",
		DEFAULT_TIMEOUT);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "job", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct env env = { 0 };
	struct json_object *suite = NULL, *summary, *jtests;
	struct test *tests, adhoc = { 0 };
	int ntests = 0, timeout = 0, c, nsel = 0;
	bool list = false;
	char exe[PATH_MAX];
	int64_t t0 = now_ms();

	while ((c = getopt_long(argc, argv, "lt:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list = true;
			break;
		case 't':
			timeout = atoi(optarg);
			if (timeout <= 0)
				die("bad timeout %s", optarg);
			break;
		case 'j':
			adhoc.job = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* build/bin/kvmi-run -> the project root */
	if (!realpath("/proc/self/exe", exe))
		die("cannot find myself");
	snprintf(env.top, sizeof(env.top), "%s", dirname(dirname(dirname(exe))));
	strfmt(env.build, sizeof(env.build), "%s/build", env.top);

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
			printf("%-20s %s %ds%s%s\n", tests[i].name,
			       tests[i].job ? "L1 " : "host", tests[i].timeout,
			       tests[i].expect ? " expect=" : "",
			       tests[i].expect ? tests[i].expect : "");
		return 0;
	}
	bool *sel = xmalloc(ntests * sizeof(bool));

	for (int i = 0; i < ntests; i++) {
		sel[i] = optind == argc;
		for (int a = optind; a < argc; a++)
			if (!strcmp(argv[a], tests[i].name))
				sel[i] = true;
		nsel += sel[i];
	}
	for (int a = optind; a < argc; a++) {
		int i;

		for (i = 0; i < ntests && strcmp(argv[a], tests[i].name); i++)
			;
		if (i == ntests)
			die("no test named %s (kvmi-run -l lists them)", argv[a]);
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	preflight(&env);
	take_lock();
	make_run_dir(&env);
	ktap_start(&env.k, stdout, nsel);
	ktap_diag(&env.k, "kvmi-run: kernel %s, results in %s", env.abi, env.run_dir);
	build_initramfs(&env);

	summary = json_object_new_object();
	jtests = json_object_new_array();
	json_object_object_add(summary, "abi", json_object_new_string(env.abi));
	json_object_object_add(summary, "run_dir", json_object_new_string(env.run_dir));
	for (int i = 0; i < ntests && !interrupted; i++) {
		struct test *t = &tests[i];
		struct outcome o = { .l1_userspace = -1 };
		char *dir;
		int64_t ts = now_ms();

		if (!sel[i])
			continue;
		if (timeout)
			t->timeout = timeout;
		dir = xasprintf("%s/%s", env.run_dir, t->name);
		mkdir_p(dir);
		if (t->job)
			run_l1(&env, t, dir, &o);
		else
			run_host(&env, t, dir, &o);
		/*
		 * L1 under TCG has, rarely, reset itself or frozen with nested
		 * guests running (README). Those signatures, and nothing else,
		 * get one more try; the first attempt's consoles are kept.
		 */
		if (t->job && (o.no_result || o.frozen) && !interrupted &&
		    (!t->expect || strcmp(t->expect, "watchdog"))) {
			char *old = xasprintf("%s.attempt1", dir);

			ktap_diag(&env.k, "[%s] %s; retrying once, first attempt in %s",
				  t->name, o.reason, old);
			rename(dir, old);
			free(old);
			free(o.nested);
			o = (struct outcome){ .l1_userspace = -1, .retried = true };
			mkdir_p(dir);
			run_l1(&env, t, dir, &o);
		}
		o.secs = (now_ms() - ts) / 1000.0;
		apply_expect(t, &o);
		if (o.nested && !t->expect)
			ktap_nested(&env.k, o.nested);
		if (o.l1_userspace >= 0)
			ktap_diag(&env.k, "[%s] L1 userspace after %.1fs", t->name,
				  o.l1_userspace);
		ktap_diag(&env.k, "[%s] %.1fs%s%s", t->name, o.secs,
			  o.reason[0] ? ": " : "", o.reason);
		ktap_result(&env.k, o.pass ? KTAP_PASS : KTAP_FAIL, t->name,
			    o.pass ? NULL : (o.timed_out ? "timeout" : "fail"));

		struct json_object *jt = json_object_new_object();

		json_object_object_add(jt, "name", json_object_new_string(t->name));
		json_object_object_add(jt, "result",
				       json_object_new_string(o.pass ? "pass" : "fail"));
		json_object_object_add(jt, "reason", json_object_new_string(o.reason));
		json_object_object_add(jt, "seconds", json_object_new_double(o.secs));
		json_object_object_add(jt, "retried", json_object_new_boolean(o.retried));
		if (o.l1_userspace >= 0)
			json_object_object_add(jt, "l1_userspace_seconds",
					       json_object_new_double(o.l1_userspace));
		json_object_array_add(jtests, jt);
		free(o.nested);
		free(dir);
	}
	json_object_object_add(summary, "tests", jtests);
	json_object_object_add(summary, "passed", json_object_new_int(env.k.pass));
	json_object_object_add(summary, "failed", json_object_new_int(env.k.fail));
	json_object_object_add(summary, "seconds",
			       json_object_new_double((now_ms() - t0) / 1000.0));
	char *sp = xasprintf("%s/summary.json", env.run_dir);

	json_object_to_file_ext(sp, summary, JSON_C_TO_STRING_PRETTY);
	free(sp);
	json_object_put(summary);
	ktap_diag(&env.k, "wall time %.1fs", (now_ms() - t0) / 1000.0);
	if (interrupted)
		ktap_diag(&env.k, "interrupted");
	ktap_finish(&env.k);
	json_object_put(suite);
	free(sel);
	return env.k.fail || interrupted ? 1 : 0;
}
