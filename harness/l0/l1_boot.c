// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-run: one L1 boot. Starts QEMU, streams L1's console and the L2
 * consoles QEMU inside L1 writes into the run dir, watches every line for
 * kernel trouble and L1's heartbeat, enforces the deadline, and turns what
 * happened into one verdict (classify()). L0 tests run here too.
 */
#define _GNU_SOURCE
#include "kvmi_run.h"
#include "proc.h"
#include "qmp.h"
#include "util.h"
#include "vmconfig.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAIL_LINES 25
#define MAX_TAILS 8
#define HEARTBEAT_LOST_MS 45000	/* L1 beats every 10 s */
/*
 * After a kernel message, read on for the rest of it: until its end line,
 * or its console has been quiet this long (an L2's serial console under
 * nested TCG can take seconds for a backtrace), or at most SPLAT_MAX_MS.
 */
#define SPLAT_QUIET_MS 5000
#define SPLAT_MAX_MS 60000
/* The kernel message quoted in the verdict: context before, lines from it. */
#define SPLAT_BEFORE 8
#define SPLAT_LINES 80

static pid_t current_group;

void kill_current(void)
{
	if (current_group > 0)
		kill(-current_group, SIGKILL);
}

/* ---- consoles ---------------------------------------------------------- */

struct console {
	const char *src;	/* "l1", "target-console.log", ... */
	struct linebuf lb;
	struct outcome *o;
	const char *test;
	int64_t t0;
	struct ktap *k;
	char tail[TAIL_LINES][CONSOLE_LINE_MAX];
	int ntail;
	bool fired;		/* the watchdog's first match was here */
};

/*
 * The console that printed the first kernel message keeps its lines in
 * the outcome: a few before it, then the splat, so that the verdict
 * quotes the whole message even where only the runner's output is kept.
 */
static void splat_add(struct outcome *o, const char *line)
{
	char *s;

	if (o->splat_lines >= SPLAT_LINES)
		return;
	s = xasprintf("%s%s\n", o->splat ? o->splat : "", line);
	free(o->splat);
	o->splat = s;
	o->splat_lines++;
}

static void on_console_line(void *ctx, const char *line)
{
	struct console *c = ctx;
	const char *what = watchdog_match(line), *m;
	double t = (now_ms() - c->t0) / 1000.0;

	if (what && !c->o->watchdog[0]) {
		int n = c->ntail < SPLAT_BEFORE ? c->ntail : SPLAT_BEFORE;

		snprintf(c->o->watchdog, sizeof(c->o->watchdog), "%s (%s console): %s",
			 what, c->src, line);
		c->o->watchdog_ms = now_ms();
		c->fired = true;
		for (int i = c->ntail - n; i < c->ntail; i++)
			splat_add(c->o, c->tail[i % TAIL_LINES]);
	}
	if (c->fired) {
		splat_add(c->o, line);
		c->o->splat_last_ms = now_ms();
	}
	snprintf(c->tail[c->ntail++ % TAIL_LINES], CONSOLE_LINE_MAX, "%s", line);
	if (c->o->watchdog[0] && (strstr(line, "---[ end trace") ||
				  strstr(line, "---[ end Kernel panic") ||
				  strstr(line, CONSOLE_KMEMLEAK_END)))
		c->o->splat_done = true;
	if (strcmp(c->src, "l1"))
		return;
	/*
	 * Any line from L1 shows it alive, not only the heartbeat: a slow boot
	 * (root mounted at 20 s) must not pass for a frozen one before the
	 * job's first beat.
	 */
	c->o->last_beat = now_ms();
	if (strstr(line, CONSOLE_USERSPACE) && c->o->l1_userspace < 0)
		c->o->l1_userspace = t;
	if (strstr(line, CONSOLE_HEARTBEAT))
		return;
	/* Harness lines from L1 are progress. */
	m = console_harness_line(line);
	if (m)
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

static bool is_l2_console(const char *name)
{
	size_t len = strlen(name);

	return len >= 12 && !strcmp(name + len - 12, "-console.log") &&
	       strcmp(name, "l1-console.log");
}

/* Follow the L2 consoles that QEMU inside L1 writes into the run dir. */
static void pump_tails(struct tails *ts, const char *dir, const struct console *proto)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		struct tail *t = &ts->t[ts->n];
		char *p;
		int i;

		if (!is_l2_console(e->d_name))
			continue;
		for (i = 0; i < ts->n; i++)
			if (!strcmp(ts->t[i].name, e->d_name))
				break;
		if (i < ts->n || ts->n == MAX_TAILS)
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		t->fd = open(p, O_RDONLY | O_CLOEXEC);
		free(p);
		if (t->fd < 0)
			continue;
		snprintf(t->name, sizeof(t->name), "%s", e->d_name);
		t->con = *proto;
		t->con.src = t->name;
		t->con.ntail = 0;
		t->con.fired = false;
		ts->n++;
	}
	if (d)
		closedir(d);
	for (int i = 0; i < ts->n; i++) {
		struct stat st;

		/*
		 * A console rewritten from its start (a VM config without
		 * append=on, started again) is read again from there: no line
		 * of its new life may pass unseen.
		 */
		if (!fstat(ts->t[i].fd, &st) &&
		    st.st_size < lseek(ts->t[i].fd, 0, SEEK_CUR)) {
			ktap_diag(proto->k, "[%s] %s was truncated; reading it from its start",
				  proto->test, ts->t[i].name);
			lseek(ts->t[i].fd, 0, SEEK_SET);
		}
		pump_fd(ts->t[i].fd, &ts->t[i].con);
	}
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

static void diag_splat(struct ktap *k, const struct outcome *o)
{
	char *s = xstrdup(o->splat), *save = NULL;

	ktap_diag(k, "---- the kernel message, as its console printed it ----");
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		ktap_diag(k, "%s", l);
	free(s);
}

/* ---- one L1 boot ------------------------------------------------------- */

/*
 * A job stopped before it printed its KTAP (timeout, frozen L1) leaves the
 * results it had reached in <test>/ktap.partial: shown, under no plan, so
 * the verdict says how far the job got.
 */
static void partial_ktap(const char *dir, struct outcome *o)
{
	char *path = xasprintf("%s/ktap.partial", dir);
	char *part = read_file(path, NULL);

	if (part && part[0]) {
		free(o->nested);
		o->nested = xasprintf("# the job did not finish; its results so far:\n%s",
				      part);
	}
	free(part);
	free(path);
}

/* What ended the boot, as seen from L0. */
struct boot_end {
	bool timed_out;
	bool silent;		/* L1's heartbeat stopped */
	int qemu_status;
	const char *status;	/* the job's exit status file, or NULL */
	int64_t silent_ms;	/* since L1's last heartbeat (or boot) */
	double secs;
	char qmp_err[256];	/* why QMP could not be reached */
	char where[512];	/* a frozen L1's vCPU: its RIPs, HLT, LAPIC */
};

/*
 * One verdict per boot. A kernel message on any console comes first: it
 * fails the test whatever else happened, and such a test is never retried.
 * Only then can a silent heartbeat (L1 froze) or a missing result (L1
 * reset) be told from the job's own hang or failure.
 */
/* What harness/l1/l1-stage2.sh's own exit statuses mean. */
static const char *stage2_status(int st)
{
	switch (st) {
	case 96:
		return " (an L2 VM not scanned by kmemleak: see L1's console)";
	case 97:
		return " (L1 could not install the kernel's root)";
	case 98:
		return " (L1 could not reach the source tree)";
	case 99:
		return " (L1 could not load our kvm modules)";
	}
	return "";
}

static enum verdict classify(const struct test *t, const struct boot_end *b,
			     struct outcome *o)
{
	if (interrupted) {
		strfmt(o->reason, sizeof(o->reason), "interrupted");
		return V_INTERRUPTED;
	}
	if (o->watchdog[0]) {
		strfmt(o->reason, sizeof(o->reason), "watchdog: %s", o->watchdog);
		return V_WATCHDOG;
	}
	if (b->silent) {
		strfmt(o->reason, sizeof(o->reason),
		       "L1 silent for %.0fs (no heartbeat) at %.0fs, no kernel message: L1 froze%s%s",
		       b->silent_ms / 1000.0, b->secs, b->where[0] ? "; " : "", b->where);
		return V_FROZEN;
	}
	if (b->timed_out) {
		strfmt(o->reason, sizeof(o->reason), "timeout after %ds: QEMU stopped",
		       t->timeout);
		return V_TIMEOUT;
	}
	if (b->qmp_err[0]) {
		strfmt(o->reason, sizeof(o->reason), "no QMP on L1's QEMU: %s", b->qmp_err);
		return V_ERROR;
	}
	if (!b->status && !strcmp(o->shutdown, "guest-reset")) {
		strfmt(o->reason, sizeof(o->reason),
		       "L1 reset (QMP SHUTDOWN guest-reset) without a result and with no kernel message");
		return V_RESET;
	}
	if (!b->status) {
		strfmt(o->reason, sizeof(o->reason),
		       "L1 stopped without a result: QMP SHUTDOWN %s, QEMU exit status %d",
		       o->shutdown[0] ? o->shutdown : "never came", b->qemu_status);
		return V_ERROR;
	}
	if (atoi(b->status) != 0) {
		strfmt(o->reason, sizeof(o->reason), "job exited with %d%s",
		       atoi(b->status), stage2_status(atoi(b->status)));
		return V_FAIL;
	}
	return V_PASS;
}

static char **l1_argv(struct env *env, const struct test *t, const char *dir,
		      const char *job, struct vmconfig *cfg)
{
	struct vars vars = { 0 };
	char *path = xasprintf("%s/vmconfigs/l1.json", env->top);
	char **argv = NULL, bound[16];

	kernel_vars(env, &vars, true);
	vars_set(&vars, "TOP", env->top);
	vars_set(&vars, "BUILD", env->build);
	vars_set(&vars, "RUN_DIR", dir);
	vars_set(&vars, "QMP", env->qmp);
	for (size_t i = 0; env->set && i < env->set->n; i++)
		vars_set(&vars, env->set->key[i], env->set->val[i]);
	if (t->vars) {	/* what the test needs wins over --set */
		json_object_object_foreach(t->vars, k, v)
			vars_set(&vars, k, json_object_get_string(v));
	}
	if (t->l1_append) {	/* the test's kernel parameters, after --set's */
		const char *more = vars_get(&vars, "L1_APPEND");
		char *all = xasprintf("%s%s%s", more ? more : "", more ? " " : "",
				      t->l1_append);

		vars_set(&vars, "L1_APPEND", all);
		free(all);
	}
	vars_set(&vars, "JOB", job);
	vars_set(&vars, "TEST", t->name);
	snprintf(bound, sizeof(bound), "%d", t->timeout);	/* scaled */
	vars_set(&vars, "JOB_TIMEOUT", bound);
	if (vmconfig_load(cfg, path, &vars) || !(argv = vmconfig_qemu_argv(cfg)))
		die("%s", cfg->err);
	free(path);
	vars_free(&vars);
	return argv;
}

static void on_qmp_event(void *ctx, struct json_object *ev)
{
	struct outcome *o = ctx;
	const char *reason = qmp_shutdown_reason(ev);

	if (reason && !o->shutdown[0])
		strfmt(o->shutdown, sizeof(o->shutdown), "%s", reason);
}

/* An HMP command through QMP: its reply (a string; put it), or NULL. */
static struct json_object *hmp(struct qmp *q, const char *cmd)
{
	struct json_object *args = json_object_new_object();
	struct json_object *r;

	json_object_object_add(args, "command-line", json_object_new_string(cmd));
	r = qmp_execute(q, "human-monitor-command", args, now_ms() + 5000);
	json_object_put(args);
	return r;
}

/*
 * With each sample, the local APIC's state (HMP "info lapic", free text):
 * whether L1's timer is armed and an interrupt pending (IRR) or in service
 * (ISR), which tells a lost #VMEXIT(INTR) from a timer that never fired
 * (README, "Choosing the L1 stack"). Its timer, ISR and IRR lines go
 * into sum, if given.
 */
static void frozen_lapic(struct qmp *q, FILE *f, char *sum, size_t n)
{
	static const char *const keep[] = { "Timer", "ISR", "IRR" };
	struct json_object *r = hmp(q, "info lapic");
	const char *text = r ? json_object_get_string(r) : NULL;
	size_t used = 0;

	fprintf(f, "--- info lapic\n%s\n", text ? text : q->err);
	for (size_t i = 0; sum && text && i < sizeof(keep) / sizeof(keep[0]); i++) {
		const char *line = strstr(text, keep[i]);
		int len = line ? (int)strcspn(line, "\r\n") : 0;

		if (line && used < n)
			used += snprintf(sum + used, n - used, "; LAPIC %.*s", len, line);
	}
	for (char *t = sum ? strchr(sum, '\t') : NULL; t; t = strchr(t, '\t'))
		*t = ' ';
	json_object_put(r);
}

/*
 * After the evidence, one NMI (QMP inject-nmi). TCG takes an NMI, as it takes an
 * interrupt, only while the vCPU's GIF is set; Linux answers an unknown NMI
 * on the console ("Uhhuh. NMI received ..."), and KVM's NMI intercept takes
 * an L1 stuck in L2 back to L1. An L1 whose console moves within
 * NMI_WAIT_MS had GIF set and lost only its timer interrupt; one that stays
 * silent has GIF clear or takes no exit at all (README, "Choosing the L1
 * stack"). What it prints goes to the console log but is not read for kernel
 * messages: the verdict is already that L1 froze.
 */
#define NMI_WAIT_MS 10000
static void frozen_nmi(struct qmp *q, int out, int logfd, FILE *f,
		       char *where, size_t n)
{
	struct json_object *r = qmp_execute(q, "inject-nmi", NULL, now_ms() + 5000);
	long long t0 = now_ms(), moved = -1;
	size_t used = strlen(where);
	char buf[4096];

	if (!r) {
		snprintf(where + used, n - used, "; inject-nmi: %s", q->err);
		return;
	}
	json_object_put(r);
	/* until its first line is whole (2 s more at most), into the log */
	while (moved < 0 ? now_ms() - t0 < NMI_WAIT_MS : now_ms() - t0 - moved < 2000) {
		struct pollfd pfd = { .fd = out, .events = POLLIN };
		ssize_t k;

		if (poll(&pfd, 1, 250) <= 0)
			continue;
		k = read(out, buf, sizeof(buf));
		if (k <= 0)
			break;
		if (write(logfd, buf, k) != k)
			perror("kvmi: console log");
		if (moved < 0)
			moved = now_ms() - t0;
		if (memchr(buf, '\n', k))
			break;
	}
	if (moved >= 0)
		snprintf(where + used, n - used, "; an NMI: its console moved %.1fs after",
			 moved / 1000.0);
	else
		snprintf(where + used, n - used, "; an NMI: its console still silent %ds after",
			 NMI_WAIT_MS / 1000);
	r = hmp(q, "info registers -a");
	fprintf(f, "--- after the NMI\n%s\n", r ? json_object_get_string(r) : q->err);
	json_object_put(r);
}

/*
 * A frozen L1: where its vCPUs are. FROZEN_SAMPLES of QMP "info registers
 * -a", FROZEN_GAP_MS apart, into DIR/l1-frozen-registers.txt, and in where
 * the first vCPU's RIP, RFLAGS and HLT of each (one RIP throughout: stuck
 * there; a few: a tight loop; HLT=1 with IF (0x200) clear: halted for good),
 * then frozen_nmi() into the same file.
 */
#define FROZEN_SAMPLES 3
#define FROZEN_GAP_MS 500
static void frozen_evidence(struct qmp *q, const char *dir, int out, int logfd,
			    char *where, size_t n)
{
	char *path = xasprintf("%s/l1-frozen-registers.txt", dir);
	FILE *f = fopen(path, "w");
	size_t used = 0;
	char lapic[256] = "";

	for (int i = 0; i < FROZEN_SAMPLES; i++) {
		struct json_object *r = hmp(q, "info registers -a");
		const char *regs = r ? json_object_get_string(r) : NULL;
		const char *rip = regs ? strstr(regs, "RIP=") : NULL;
		const char *efl = regs ? strstr(regs, "RFL=") : NULL;
		const char *hlt = regs ? strstr(regs, "HLT=") : NULL;

		if (f) {
			fprintf(f, "--- sample %d\n%s\n", i, regs ? regs : q->err);
			frozen_lapic(q, f, i ? NULL : lapic, sizeof(lapic));
		}
		if (rip && used < n)
			used += snprintf(where + used, n - used, "%s%.20s %.12s %.5s",
					 used ? ", " : "vCPU 0 at ", rip, efl ? efl : "",
					 hlt ? hlt : "");
		json_object_put(r);
		if (i + 1 < FROZEN_SAMPLES)
			usleep(FROZEN_GAP_MS * 1000);
	}
	if (f) {
		if (used < n)	/* no RIP read: the APIC's lines first, without "; " */
			snprintf(where + used, n - used, "%s (in l1-frozen-registers.txt)",
				 used || !lapic[0] ? lapic : lapic + 2);
		frozen_nmi(q, out, logfd, f, where, n);
		fclose(f);
	}
	free(path);
}

/* Stop QEMU cleanly (QMP quit), or kill it if that does not work. */
static void stop_qemu(struct proc *p, struct qmp *q, int *status)
{
	struct json_object *r = NULL;

	if (q->fd >= 0)
		r = qmp_execute(q, "quit", NULL, now_ms() + 5000);
	json_object_put(r);
	if (!r || proc_wait_until(p, now_ms() + 10000, status))
		proc_kill(p, 2000, status);
}

void run_l1(struct env *env, const struct test *t, const char *dir,
	    struct outcome *o)
{
	static const struct proc_opts capture = { .capture = true,
						  .die_with_parent = true };
	struct console con = { .src = "l1", .o = o, .test = t->name,
			       .t0 = now_ms(), .k = &env->k };
	struct boot_end b = { 0 };
	struct tails tails = { 0 };
	struct vmconfig cfg;
	struct qmp q = { .fd = -1, .on_event = on_qmp_event, .ctx = o };
	struct proc p;
	char **argv, *path, *job = xasprintf("%s/%s", env->top, t->job);
	char *sp, *kp, *status;
	int64_t deadline = con.t0 + (int64_t)t->timeout * 1000;
	int logfd, ret;
	bool exited = false;

	argv = l1_argv(env, t, dir, job, &cfg);
	path = xasprintf("%s/l1-console.log", dir);
	logfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	free(path);
	ret = proc_start(&p, argv, &capture);
	if (ret)
		die("cannot start %s: %s", argv[0], strerror(-ret));
	current_group = p.pid;
	fcntl(p.out, F_SETFL, O_NONBLOCK);
	ktap_diag(&env->k, "[%s] booting L1 (timeout %ds), consoles in %s",
		  t->name, t->timeout, dir);
	if (qmp_connect(&q, env->qmp, now_ms() + 30000))
		strfmt(b.qmp_err, sizeof(b.qmp_err), "%s", q.err);

	while (!b.qmp_err[0]) {
		struct pollfd pfd[2] = {
			{ .fd = p.out, .events = POLLIN },
			{ .fd = q.fd, .events = POLLIN },
		};
		int64_t now = now_ms(), left = deadline - now;
		char buf[8192];
		ssize_t r;

		/* A kernel message ends the test once its splat is read. */
		if (o->watchdog[0] &&
		    (o->splat_done || now - o->splat_last_ms >= SPLAT_QUIET_MS ||
		     now - o->watchdog_ms >= SPLAT_MAX_MS))
			break;
		if (!o->watchdog[0] &&
		    now - (o->last_beat ? o->last_beat : con.t0) > HEARTBEAT_LOST_MS) {
			b.silent = true;
			break;
		}
		if (left <= 0 || interrupted) {
			b.timed_out = !interrupted;
			break;
		}
		poll(pfd, 2, left > 250 ? 250 : (int)left);
		if (pfd[1].revents)
			qmp_pump(&q);
		r = read(p.out, buf, sizeof(buf));
		if (r > 0) {
			if (write(logfd, buf, r) != r)
				perror("kvmi: console log");
			linebuf_feed(&con.lb, buf, r, on_console_line, &con);
		}
		pump_tails(&tails, dir, &con);
		if (r == 0) {	/* QEMU closed stdout: it is exiting */
			exited = proc_wait_until(&p, now_ms() + 10000, &b.qemu_status) == 0;
			break;
		}
	}
	if (b.silent && q.fd >= 0)
		frozen_evidence(&q, dir, p.out, logfd, b.where, sizeof(b.where));
	if (!exited)
		stop_qemu(&p, &q, &b.qemu_status);
	if (q.fd >= 0)
		qmp_pump(&q);	/* what QEMU said before it closed */
	qmp_close(&q);
	unlink(env->qmp);
	current_group = 0;
	linebuf_flush(&con.lb, on_console_line, &con);
	pump_tails(&tails, dir, &con);
	close_tails(&tails);
	close(p.out);
	close(logfd);

	sp = xasprintf("%s/status", dir);
	kp = xasprintf("%s/ktap", dir);
	status = read_file(sp, NULL);
	o->nested = read_file(kp, NULL);
	if (!o->nested || !o->nested[0])
		partial_ktap(dir, o);
	b.status = status;
	b.silent_ms = now_ms() - (o->last_beat ? o->last_beat : con.t0);
	o->silent = b.silent_ms / 1000.0;
	b.secs = (now_ms() - con.t0) / 1000.0;
	o->v = classify(t, &b, o);
	if (o->v == V_WATCHDOG && o->splat)
		diag_splat(&env->k, o);
	else if (o->v != V_PASS)
		diag_tail(&env->k, "L1", &con);
	free(sp);
	free(kp);
	free(status);
	free(job);
	strv_free(argv);
	vmconfig_free(&cfg);
}

/* ---- one L0 test ------------------------------------------------------- */

void run_l0(struct env *env, const struct test *t, const char *dir,
	    struct outcome *o)
{
	char *log = xasprintf("%s/output.log", dir);
	struct proc_opts opts = { .out_path = log, .die_with_parent = true };
	struct proc p;
	int st, ret = proc_start(&p, t->host, &opts);

	(void)env;
	if (ret) {
		strfmt(o->reason, sizeof(o->reason), "cannot start %s: %s",
		       t->host[0], strerror(-ret));
		o->v = V_ERROR;
		free(log);
		return;
	}
	current_group = p.pid;
	if (proc_wait_until(&p, now_ms() + (int64_t)t->timeout * 1000, &st)) {
		proc_kill(&p, 1000, &st);
		o->v = V_TIMEOUT;
		strfmt(o->reason, sizeof(o->reason), "timeout after %ds: killed",
		       t->timeout);
	} else if (WIFSIGNALED(st)) {
		o->v = V_ERROR;
		strfmt(o->reason, sizeof(o->reason), "crashed: signal %d (%s)",
		       WTERMSIG(st), strsignal(WTERMSIG(st)));
	} else if (WEXITSTATUS(st)) {
		o->v = V_FAIL;
		strfmt(o->reason, sizeof(o->reason), "exit status %d",
		       WEXITSTATUS(st));
	} else {
		o->v = V_PASS;
	}
	current_group = 0;
	o->nested = read_file(log, NULL);
	free(log);
}
