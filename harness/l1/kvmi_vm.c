// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-vm: start, drive and stop the L2 VMs inside L1.
 *
 *   kvmi-vm start NAME [-t S] [-c CFG]  boot vmconfigs/NAME.json (or CFG.json,
 *                                       a second VM of a kind); return when
 *                                       its agent answers
 *   kvmi-vm exec NAME [-t S] [-i] CMD   run CMD in the guest (/bin/sh -c);
 *                                       output and exit status come back;
 *                                       -i sends our stdin along
 *   kvmi-vm stop NAME [-t S]            clean poweroff, or kill at timeout
 *   kvmi-vm kill NAME                   SIGKILL its QEMU
 *   kvmi-vm kmemleak NAME [-t S]        the guest's leaks, if it has kmemleak
 *   kvmi-vm pid NAME
 *
 * Environment: KVMI_TOP, KVMI_BUILD, KVMI_L2_ABI (the L2 kernel, when it is
 * not L1's own), KVMI_L2_KMEMLEAK (stop: a kmemleak scan to run first),
 * KVMI_RUN (console logs), KVMI_STATE
 * (sockets, pid files, RAM files), KVMI_CONSOLE (progress lines, optional),
 * KVMI_TIMEOUT_SCALE (every -t and default timeout times this).
 */
#define _GNU_SOURCE
#include "agent_proto.h"
#include "cli.h"
#include "console.h"
#include "fdio.h"
#include "proc.h"
#include "qmp.h"
#include "util.h"
#include "vmconfig.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *envor(const char *k, const char *def)
{
	const char *v = getenv(k);

	return v && *v ? v : def;
}

#define say(...) console_say(CONSOLE_TAG_VM, __VA_ARGS__)

/* A kmemleak scan's bound, in kvmi-vm stop as in the kmemleak verb. */
#define KMEMLEAK_TIMEOUT 300

/* A slower kernel's timeouts (kvmi-run sets it from kprofile.h). */
static int timeout_scale(void)
{
	const char *s = getenv("KVMI_TIMEOUT_SCALE");

	return s ? (int)cli_u64_range("KVMI_TIMEOUT_SCALE", s, 1, 100) : 1;
}

static char *state_path(const char *name, const char *ext)
{
	return xasprintf("%s/%s.%s", envor("KVMI_STATE", "/run/kvmi"), name, ext);
}

static pid_t read_pid(const char *name)
{
	char *p = state_path(name, "pid"), *s = read_file(p, NULL);
	pid_t pid = s ? atoi(s) : -1;

	free(p);
	free(s);
	return pid;
}

/* Alive and not a zombie. */
static bool alive(pid_t pid)
{
	char *p = xasprintf("/proc/%d/stat", pid), *s = read_file(p, NULL), *rp;
	bool ret = s && (rp = strrchr(s, ')')) && rp[1] == ' ' && rp[2] != 'Z';

	free(p);
	free(s);
	return ret;
}

static int connect_ctl(const char *name, int64_t deadline, pid_t qemu)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *p = state_path(name, "ctl");

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p);
	free(p);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		int err;

		if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		err = errno;
		if (fd >= 0)
			close(fd);
		if (now_ms() > deadline || (qemu > 0 && !alive(qemu)))
			return -err;
		usleep(20000);
	}
}

/* Send a bodiless request and wait for the agent's PONG. 0 or -errno. */
static int request(const char *name, uint32_t type, int64_t deadline, pid_t qemu)
{
	struct agent_hdr h;
	int fd = connect_ctl(name, deadline, qemu), ret;

	if (fd < 0)
		return -ECONNREFUSED;
	ret = frame_send(fd, type, NULL, 0, NULL, 0);
	if (!ret)
		ret = read_all(fd, &h, sizeof(h), deadline);
	if (!ret && (h.type != AGENT_PONG || h.len))
		ret = -EPROTO;
	close(fd);
	return ret;
}

static void on_vm_event(void *ctx, struct json_object *ev)
{
	const char *name = ctx, *reason = qmp_shutdown_reason(ev);
	struct json_object *d, *r;
	char *p;
	FILE *f;

	if (!strcmp(qmp_event_name(ev), "RESET")) {
		reason = json_object_object_get_ex(ev, "data", &d) &&
			 json_object_object_get_ex(d, "reason", &r) ?
			 json_object_get_string(r) : "?";
		say("%s reset: QMP RESET %s", name, reason);
		p = state_path(name, "resets");
		f = fopen(p, "a");
		if (f) {
			fprintf(f, "%s\n", reason);
			fclose(f);
		}
		free(p);
		return;
	}
	if (!reason)
		return;
	say("%s stopped: QMP SHUTDOWN %s", name, reason);
	p = state_path(name, "stopped");
	write_file(p, reason, strlen(reason));
	free(p);
}

/*
 * A watcher, detached, on the VM's event monitor: when the VM stops, the
 * console says why (QMP SHUTDOWN's reason: guest-shutdown, guest-reset,
 * guest-panic, host-qmp-quit, host-signal, ...) and STATE/NAME.stopped
 * holds it. A QEMU killed outright has no event: that is said too, and
 * the file holds "killed".
 */
static void watch(const char *name)
{
	struct qmp q = { .on_event = on_vm_event, .ctx = (void *)name };
	char *p = state_path(name, "events");
	int null;

	if (fork())
		return;
	setsid();
	null = open("/dev/null", O_RDWR);	/* hold no pipe of the caller's */
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (qmp_connect(&q, p, now_ms() + 10000))
		_exit(1);
	for (;;) {
		struct pollfd pfd = { .fd = q.fd, .events = POLLIN };

		poll(&pfd, 1, -1);
		if (qmp_pump(&q))
			break;
	}
	free(p);
	p = state_path(name, "stopped");
	if (access(p, F_OK)) {
		say("%s: its QEMU is gone without a SHUTDOWN event (killed)", name);
		write_file(p, "killed", 6);
	}
	_exit(0);
}

/* One QMP command on the VM's monitor; its answer (put it), or NULL. */
static struct json_object *vm_qmp(const char *name, const char *cmd,
				  struct json_object *args, int timeout)
{
	char *p = state_path(name, "qmp");
	struct qmp q = { 0 };
	struct json_object *r = NULL;

	if (qmp_connect(&q, p, now_ms() + timeout * 1000LL) == 0)
		r = qmp_execute(&q, cmd, args, now_ms() + timeout * 1000LL);
	if (!r)
		fprintf(stderr, "kvmi-vm: %s: %s\n", name, q.err);
	qmp_close(&q);
	free(p);
	return r;
}

/*
 * An L2 VM that never answered: where its vCPU is (QMP human-monitor-command
 * "info registers") into <run>/NAME-hang.txt, and its RIP said, so that a
 * hung boot leaves evidence. QEMU is left running for kvmi-vm stop.
 */
static void hang_evidence(const char *name, const char *run)
{
	struct json_object *args = json_object_new_object(), *r;
	char *path = xasprintf("%s/%s-hang.txt", run, name);
	const char *regs, *rip;

	json_object_object_add(args, "command-line",
			       json_object_new_string("info registers"));
	r = vm_qmp(name, "human-monitor-command", args, 10);
	regs = r ? json_object_get_string(r) : NULL;
	if (regs && !write_file(path, regs, strlen(regs))) {
		rip = strstr(regs, "RIP=");
		say("%s: its vCPU at %.20s (registers in %s)", name,
		    rip ? rip : "?", path);
	}
	json_object_put(r);
	json_object_put(args);
	free(path);
}

/*
 * A VM's console log and its QEMU's output are appended to (the vmconfigs'
 * append=on; proc_start without truncate), so a VM started again after a
 * kill keeps its earlier life's lines above this one, and L0's watchdog
 * reads the new life from where the old one ended. Returns where the new
 * life starts in the file (0 if it cannot be written).
 */
static off_t life_mark(const char *run, const char *name, const char *log)
{
	char *p = xasprintf("%s/%s-%s", run, name, log);
	int fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	off_t end = 0;

	if (fd >= 0) {
		dprintf(fd, "\n%s: %s: a new QEMU starts\n", CONSOLE_TAG_VM, name);
		end = lseek(fd, 0, SEEK_END);
		close(fd);
	}
	free(p);
	return end < 0 ? 0 : end;
}

/*
 * QEMU truncates its -D log when it opens it: an earlier life's is moved
 * to PATH.N (N = 1, 2, ... in the order of the lives) first.
 */
static void keep_debug_log(char **argv)
{
	struct stat st;
	char *old;

	for (; *argv && strcmp(*argv, "-D"); argv++)
		;
	if (!*argv || !argv[1] || stat(argv[1], &st) || !st.st_size)
		return;
	for (int n = 1;; n++) {
		old = xasprintf("%s.%d", argv[1], n);
		if (access(old, F_OK))
			break;
		free(old);
	}
	if (rename(argv[1], old))
		say("cannot keep %s: %s", argv[1], strerror(errno));
	free(old);
}

static int cmd_start(const char *name, const char *config, int timeout)
{
	char *top = xstrdup(envor("KVMI_TOP", "."));
	char *cfgp = xasprintf("%s/vmconfigs/%s.json", top, config);
	const char *run = envor("KVMI_RUN", "/tmp");
	const char *state = envor("KVMI_STATE", "/run/kvmi");
	int64_t t0 = now_ms(), deadline = t0 + timeout * 1000LL;
	struct vmconfig c;
	struct vars v = { 0 };
	struct proc_opts po = { .session = true };
	off_t life_start;
	struct utsname u;
	char **argv, **prep, *log, *sock, *cpus;
	const char *abi;
	uint64_t cpu = 0;
	struct proc qemu;
	pid_t pid;
	int st, ret;

	uname(&u);
	/*
	 * L2's kernel: KVMI_L2_ABI (Debian's under a debug L1, or the L2 debug
	 * kernel), else L1's own; KVMI_L2_KBUILD has our modules and initramfs
	 * images for it (the stock build's for Debian's).
	 */
	abi = envor("KVMI_L2_ABI", u.release);
	vars_set(&v, "ABI", abi);
	vars_set(&v, "TOP", top);
	vars_set(&v, "BUILD", envor("KVMI_BUILD", "build"));
	/* L2's kernel and initramfs images, our modules for it */
	vars_set(&v, "KBUILD", envor("KVMI_L2_KBUILD", envor("KVMI_BUILD", "build")));
	vars_set(&v, "RUN_DIR", run);
	vars_set(&v, "STATE", state);
	vars_set(&v, "NAME", name);
	if (getenv("KVMI_SMP"))	/* the VM's vCPUs, where its config has ${SMP} */
		vars_set(&v, "SMP", getenv("KVMI_SMP"));
	if (getenv("KVMI_MEM"))	/* its -m, where its config has ${MEM} */
		vars_set(&v, "MEM", getenv("KVMI_MEM"));
	mkdir_p(state);
	if (vmconfig_load(&c, cfgp, &v) || !(argv = vmconfig_qemu_argv(&c))) {
		fprintf(stderr, "kvmi-vm: %s\n", c.err);
		return 2;
	}
	if (read_pid(name) > 0 && alive(read_pid(name))) {
		fprintf(stderr, "kvmi-vm: %s is already running\n", name);
		return 1;
	}
	prep = vmconfig_list(&c, "prepare", NULL);
	for (char **p = prep; p && *p; p++) {
		int r = system(*p);

		if (r) {
			fprintf(stderr, "kvmi-vm: %s: prepare step failed (%d): %s\n",
				name, r, *p);
			return 1;
		}
	}
	strv_free(prep);
	sock = state_path(name, "ctl");
	unlink(sock);
	free(sock);
	sock = state_path(name, "stopped");	/* a previous life's */
	unlink(sock);
	free(sock);
	sock = state_path(name, "resets");
	unlink(sock);
	free(sock);
	cpus = vmconfig_str(&c, "cpu");	/* optional: pin QEMU to one CPU */
	if (cpus && (parse_u64(cpus, &cpu) || cpu >= CPU_SETSIZE)) {
		fprintf(stderr, "kvmi-vm: %s: bad \"cpu\" %s\n", name, cpus);
		return 2;
	}
	po.cpu = cpus ? (int)cpu + 1 : 0;
	life_mark(run, name, "console.log");
	life_start = life_mark(run, name, "qemu.log");	/* this life's output */
	keep_debug_log(argv);
	log = xasprintf("%s/%s-qemu.log", run, name);
	po.out_path = log;
	ret = proc_start(&qemu, argv, &po);
	if (ret) {
		say("%s: cannot start %s: %s", name, argv[0], errno_str(-ret));
		return 1;
	}
	/* QEMU outlives us: its pid file is how later commands find it. */
	close(qemu.pidfd);
	pid = qemu.pid;

	ret = request(name, AGENT_PING, deadline, pid);
	if (ret) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			size_t len = 0;
			char *q = read_file(log, &len);

			say("%s: QEMU exited (status %d) before its agent answered:\n%s",
			    name, WIFEXITED(st) ? WEXITSTATUS(st) : -1,
			    q && (size_t)life_start <= len ? q + life_start : "");
			free(q);
		} else {
			say("%s: no answer from the agent within %ds: %s", name,
			    timeout, errno_str(-ret));
			hang_evidence(name, run);
		}
		return 1;
	}
	say("%s ready in %.1fs (qemu pid %d)", name, (now_ms() - t0) / 1000.0, pid);
	watch(name);
	free(cpus);
	free(log);
	free(cfgp);
	free(top);
	strv_free(argv);
	vmconfig_free(&c);
	vars_free(&v);
	return 0;
}

/*
 * Skip what an earlier client's request left in the channel: PING with a
 * nonce, drop every frame until the PONG that echoes it (agent_proto.h).
 * The number of frames dropped, or -errno.
 */
static int sync_agent(int fd, int64_t deadline)
{
	uint64_t nonce = ((uint64_t)getpid() << 32) ^ (uint64_t)now_ms(), echo;
	struct agent_hdr h;
	int ret, dropped = 0;
	char *buf;

	ret = frame_send(fd, AGENT_PING, &nonce, sizeof(nonce), NULL, 0);
	while (!ret) {
		ret = read_all(fd, &h, sizeof(h), deadline);
		if (ret)
			break;
		if (h.len > AGENT_MAX_FRAME)
			return -EPROTO;
		buf = xmalloc(h.len + 1);
		ret = read_all(fd, buf, h.len, deadline);
		if (!ret && h.type == AGENT_PONG && h.len == sizeof(echo)) {
			memcpy(&echo, buf, sizeof(echo));
			if (echo == nonce) {
				free(buf);
				return dropped;
			}
		}
		free(buf);
		dropped++;
	}
	return ret;
}

/*
 * CMD in the guest through its agent, with INPUT on its stdin; its output
 * goes to OUT. The command's exit status, 124 at its timeout, 125 when the
 * agent cannot be reached or is lost.
 */
static int agent_exec(const char *name, int timeout, const char *cmd,
		      const char *input, size_t inlen, FILE *out)
{
	int64_t deadline = now_ms() + (timeout + 10) * 1000LL;
	struct agent_exec x = { .timeout_s = timeout, .cmd_len = strlen(cmd) };
	char *payload;
	int fd, ret, status = -1;

	if (sizeof(x) + x.cmd_len + inlen > AGENT_MAX_FRAME) {
		fprintf(stderr, "kvmi-vm: request too large\n");
		return 125;
	}
	fd = connect_ctl(name, now_ms() + 30000, read_pid(name));
	if (fd < 0) {
		if (read_pid(name) > 0 && !alive(read_pid(name)))
			say("%s: its QEMU has exited (see %s-qemu.log, %s-qemu-debug.log)",
			    name, name, name);
		else {
			fprintf(stderr, "kvmi-vm: cannot reach %s's agent: %s\n", name,
				errno_str(-fd));
			hang_evidence(name, envor("KVMI_RUN", "/tmp"));
		}
		return 125;
	}
	payload = xmalloc(sizeof(x) + x.cmd_len);
	memcpy(payload, &x, sizeof(x));
	memcpy(payload + sizeof(x), cmd, x.cmd_len);
	ret = sync_agent(fd, deadline);
	if (ret > 0)
		say("%s: dropped %d frames of an earlier request's answer", name, ret);
	if (ret >= 0)
		ret = frame_send(fd, AGENT_EXEC, payload, sizeof(x) + x.cmd_len,
				 input, inlen);
	while (!ret) {
		struct agent_hdr h;
		char *buf;

		ret = read_all(fd, &h, sizeof(h), deadline);
		if (ret || h.len > AGENT_MAX_FRAME)
			break;
		buf = xmalloc(h.len + 1);
		ret = read_all(fd, buf, h.len, deadline);
		if (!ret && h.type == AGENT_OUT &&
		    (fwrite(buf, 1, h.len, out) != h.len || fflush(out)))
			ret = -EIO;
		if (!ret && h.type == AGENT_EXIT && h.len == sizeof(int)) {
			memcpy(&status, buf, sizeof(int));
			free(buf);
			break;
		}
		free(buf);
	}
	close(fd);
	free(payload);
	if (status < 0) {
		fprintf(stderr, "kvmi-vm: %s: lost the agent: %s\n", name,
			errno_str(-ret));
		hang_evidence(name, envor("KVMI_RUN", "/tmp"));
		return 125;
	}
	return status;
}

static int cmd_exec(const char *name, int timeout, bool in, int argc, char **argv)
{
	size_t inlen = 0;
	char *cmd, *input = in ? read_fd(0, &inlen) : NULL;
	int ret;

	if (in && !input) {
		fprintf(stderr, "kvmi-vm: cannot read stdin: %s\n", strerror(errno));
		return 125;
	}
	cmd = strv_join(argv, argc);
	ret = agent_exec(name, timeout, cmd, input, inlen, stdout);
	free(cmd);
	free(input);
	return ret;
}

/*
 * A VM left unscanned proves nothing: l1-stage2.sh fails the test on each
 * line of this file.
 */
static void kmemleak_unscanned(const char *name, const char *fmt, ...)
{
	char *p = xasprintf("%s/kmemleak-unscanned", envor("KVMI_STATE", "/run/kvmi"));
	FILE *f = fopen(p, "a");
	va_list ap;

	if (f) {
		fprintf(f, "%s: ", name);
		va_start(ap, fmt);
		vfprintf(f, fmt, ap);
		va_end(ap);
		fputc('\n', f);
		fclose(f);
	}
	free(p);
}

/* Until what appears in the console log, read on from fd's offset. */
static bool console_shows(int fd, const char *what, int64_t deadline)
{
	char *seen = xstrdup("");
	bool found = false;

	for (;;) {
		size_t len;
		char *more = read_fd(fd, &len), *both;

		if (more && len) {
			both = xasprintf("%s%s", seen, more);
			free(seen);
			seen = both;
			found = strstr(seen, what);
		}
		free(more);
		if (found || !more || now_ms() >= deadline)
			break;
		usleep(250000);
	}
	free(seen);
	return found;
}

/*
 * What the test left in this VM's kernel, by the kmemleak scan L1 names
 * when L2's kernel has kmemleak (KVMI_L2_KMEMLEAK: harness/lib/
 * kmemleak-scan.sh): before each clean poweroff, and by itself after the
 * job. A leak is printed, with its backtrace, on the VM's console, where
 * the runner's watchdog makes it the verdict. 0 clean, 1 objects found, 3
 * no kmemleak; anything else (2: the scan failed, 124/125 as exec, or the
 * VM not running) is a VM left unscanned, and recorded as such.
 */
static int vm_kmemleak(const char *name, int timeout)
{
	const char *path = getenv("KVMI_L2_KMEMLEAK");
	struct json_object *r, *v;
	char *script, *out = NULL, *con;
	const char *state;
	size_t len, olen = 0;
	FILE *f;
	int st, fd;

	if (!path || !*path)
		return 3;
	/* A paused VM would hold the scan to its bound. */
	r = vm_qmp(name, "query-status", NULL, 10);
	state = r && json_object_object_get_ex(r, "status", &v) ?
		json_object_get_string(v) : "unknown (no QMP answer)";
	if (strcmp(state, "running")) {
		say("%s: kmemleak: not scanned: the VM is %s", name, state);
		kmemleak_unscanned(name, "the VM is %s", state);
		json_object_put(r);
		return 125;
	}
	json_object_put(r);
	script = read_file(path, &len);
	if (!script) {
		say("%s: kmemleak: cannot read %s: %s", name, path, strerror(errno));
		kmemleak_unscanned(name, "cannot read %s", path);
		return 125;
	}
	f = open_memstream(&out, &olen);
	if (!f)
		abort();
	/* The console log from here on: where the report will appear. */
	con = xasprintf("%s/%s-console.log", envor("KVMI_RUN", "/tmp"), name);
	fd = open(con, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	st = agent_exec(name, timeout, "sh -s kvmi-l2", script, len, f);
	fclose(f);
	if (olen && out[olen - 1] == '\n')
		out[olen - 1] = '\0';
	if (st == 0 || st == 1) {
		say("%s: kmemleak: %s", name, out);
	} else if (st != 3) {
		say("%s: kmemleak: not scanned (status %d): %s", name, st, out);
		kmemleak_unscanned(name, "scan status %d: %s", st, out);
	}
	/* The whole report on the console before anything powers it off. */
	if (st == 1 && (fd < 0 ||
			!console_shows(fd, "kvmi-l2" CONSOLE_KMEMLEAK_END,
				       now_ms() + timeout * 1000LL)))
		say("%s: kmemleak: its report did not reach %s within %ds", name,
		    con, timeout);
	if (fd >= 0)
		close(fd);
	free(con);
	free(out);
	free(script);
	return st;
}

static int wait_gone(pid_t pid, int64_t deadline)
{
	while (alive(pid)) {
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		usleep(20000);
	}
	return 0;
}

static int cmd_stop(const char *name, int timeout)
{
	int64_t t0, deadline;
	pid_t pid = read_pid(name);
	int ret;

	if (pid <= 0 || !alive(pid)) {
		fprintf(stderr, "kvmi-vm: %s is not running\n", name);
		return 1;
	}
	/* Before the poweroff's time starts, with the scan's own bound. */
	vm_kmemleak(name, KMEMLEAK_TIMEOUT * timeout_scale());
	t0 = now_ms();
	deadline = t0 + timeout * 1000LL;
	ret = request(name, AGENT_POWEROFF, deadline, pid);
	if (!ret)
		ret = wait_gone(pid, deadline);
	if (ret) {
		struct json_object *r = vm_qmp(name, "quit", NULL, 10);
		bool quit = r && !wait_gone(pid, now_ms() + 10000);

		json_object_put(r);
		if (!quit) {
			kill(pid, SIGKILL);
			wait_gone(pid, now_ms() + 10000);
		}
		say("%s did not power off within %ds (%s): %s", name, timeout,
		    errno_str(-ret), quit ? "stopped with QMP quit" : "killed");
		return 1;
	}
	say("%s powered off in %.1fs", name, (now_ms() - t0) / 1000.0);
	return 0;
}

/* A QMP command on the VM (pause, resume, reset, or any); prints its answer. */
static int cmd_qmp(const char *name, const char *cmd, const char *json, int timeout)
{
	struct json_object *args = NULL, *r;

	if (json && !(args = json_tokener_parse(json))) {
		fprintf(stderr, "kvmi-vm: not JSON: %s\n", json);
		return 2;
	}
	r = vm_qmp(name, cmd, args, timeout);
	json_object_put(args);
	if (!r)
		return 1;
	/* An answer may be any JSON value (query-memory-devices: an array). */
	if (!json_object_is_type(r, json_type_object) || json_object_object_length(r))
		printf("%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY));
	json_object_put(r);
	return 0;
}

static int cmd_kill(const char *name)
{
	pid_t pid = read_pid(name);

	if (pid <= 0 || !alive(pid))
		return 1;
	kill(pid, SIGKILL);
	return wait_gone(pid, now_ms() + 10000) ? 1 : 0;
}

static const struct cli cli;

/*
 * The VM's name, then -t SECS (and -i where in is not NULL); what follows
 * is left at argv + optind. 0, or a usage error.
 */
/* NAME [-t SECS] [-i] [-c CONFIG]: -i where in is given, -c where config is. */
static int vm_args(int argc, char **argv, const char **name, int *timeout,
		   bool *in, const char **config)
{
	int c;

	*name = argv[1];
	if (config)
		*config = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, in ? "+t:i" : config ? "+t:c:" : "+t:")) != -1) {
		if (c == 't')
			*timeout = (int)cli_u64_range("kvmi-vm", optarg, 1, 86400);
		else if (c == 'i')
			*in = true;
		else if (c == 'c')
			*config = optarg;
		else
			return cli_cmd_usage(&cli, argv[0]);
	}
	if (strchr(*name, '/') || (config && strchr(*config, '/')) ||
	    (!in && optind != argc))
		return cli_cmd_usage(&cli, argv[0]);
	*timeout *= timeout_scale();
	return 0;
}

/* start NAME [-t SECS] [-c CONFIG]: CONFIG (default NAME) names the vmconfig. */
static int verb_start(int argc, char **argv)
{
	const char *name, *config;
	int timeout = 60;

	return vm_args(argc, argv, &name, &timeout, NULL, &config) ?:
	       cmd_start(name, config, timeout);
}

static int verb_exec(int argc, char **argv)
{
	const char *name;
	int timeout = 60;
	bool in = false;

	if (vm_args(argc, argv, &name, &timeout, &in, NULL))
		return 2;
	if (optind == argc)
		return cli_cmd_usage(&cli, "exec");
	return cmd_exec(name, timeout, in, argc - optind, argv + optind);
}

static int verb_stop(int argc, char **argv)
{
	const char *name;
	int timeout = 60;

	return vm_args(argc, argv, &name, &timeout, NULL, NULL) ?: cmd_stop(name, timeout);
}

static int verb_kmemleak(int argc, char **argv)
{
	const char *name;
	int timeout = KMEMLEAK_TIMEOUT;

	return vm_args(argc, argv, &name, &timeout, NULL, NULL) ?: vm_kmemleak(name, timeout);
}

static int verb_kill(int argc, char **argv)
{
	const char *name;
	int timeout = 60;

	return vm_args(argc, argv, &name, &timeout, NULL, NULL) ?: cmd_kill(name);
}

static int verb_qmp(int argc, char **argv)
{
	const char *name;
	int timeout = 60;
	bool unused;

	if (vm_args(argc, argv, &name, &timeout, &unused, NULL))
		return 2;
	if (argc - optind < 1 || argc - optind > 2)
		return cli_cmd_usage(&cli, "qmp");
	return cmd_qmp(name, argv[optind], argc - optind == 2 ? argv[optind + 1] : NULL,
		       timeout);
}

/* pause, resume, reset: QMP stop, cont, system_reset. */
static int verb_state(int argc, char **argv)
{
	static const char *const map[][2] = {
		{ "pause", "stop" }, { "resume", "cont" }, { "reset", "system_reset" },
	};
	const char *name;
	int timeout = 60;

	if (vm_args(argc, argv, &name, &timeout, NULL, NULL))
		return 2;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(argv[0], map[i][0]))
			return cmd_qmp(name, map[i][1], NULL, timeout);
	return 2;
}

static int verb_pid(int argc, char **argv)
{
	const char *name;
	int timeout = 60;
	pid_t pid;

	if (vm_args(argc, argv, &name, &timeout, NULL, NULL))
		return 2;
	pid = read_pid(name);
	if (pid <= 0 || !alive(pid))
		return 1;
	printf("%d\n", pid);
	return 0;
}

static const struct cli_cmd cmds[] = {
	{ "start", "NAME [-t SECS] [-c CONFIG]",
	  "boot vmconfigs/NAME.json (or CONFIG.json, as a VM called NAME); returns when its agent answers (default 60 s)",
	  verb_start, 1, 5 },
	{ "exec", "NAME [-t SECS] [-i] CMD...",
	  "run CMD in the guest (/bin/sh -c): output and exit status come back; -i sends stdin along",
	  verb_exec, 2, -1 },
	{ "stop", "NAME [-t SECS]", "clean poweroff; killed, and said so, if it does not",
	  verb_stop, 1, 3 },
	{ "kill", "NAME", "SIGKILL its QEMU (a VM dying mid-map)", verb_kill, 1, 1 },
	{ "kmemleak", "NAME [-t SECS]",
	  "scan the guest for leaks (KVMI_L2_KMEMLEAK); 0 clean, 1 found (on its console), 3 no kmemleak",
	  verb_kmemleak, 1, 3 },
	{ "pid", "NAME", "its QEMU's pid; exit status 1 if it is not running", verb_pid, 1, 1 },
	{ "pause", "NAME", "stop its vCPUs (QMP stop)", verb_state, 1, 1 },
	{ "resume", "NAME", "let them run again (QMP cont)", verb_state, 1, 1 },
	{ "reset", "NAME", "reset the VM (QMP system_reset; with -no-reboot QEMU exits)",
	  verb_state, 1, 1 },
	{ "qmp", "NAME [-t SECS] CMD [JSON_ARGS]", "any QMP command; prints its answer",
	  verb_qmp, 2, -1 },
	{ NULL }
};

static const struct cli cli = {
	.prog = "kvmi-vm",
	.summary = "start, drive and stop the L2 VMs, inside L1",
	.footer = "Environment: KVMI_TOP, KVMI_BUILD, KVMI_L2_ABI (L2's kernel),\n"
		  "KVMI_L2_KMEMLEAK (stop: a kmemleak scan to run in the guest first),\n"
		  "KVMI_RUN (console logs), KVMI_STATE\n"
		  "(sockets, pid files, RAM files), KVMI_CONSOLE (progress lines),\n"
		  "KVMI_TIMEOUT_SCALE (every timeout times this),\n"
		  "KVMI_SMP (start: vCPUs, where the config has ${SMP}), KVMI_MEM (start: -m, where\n"
		  "it has ${MEM}).\n"
		  "Exit status of exec: the command's, 124 at its timeout, 125 when the\n"
		  "agent cannot be reached.\n",
	.cmds = cmds,
};

int main(int argc, char **argv)
{
	/* A QEMU that exits mid-send is an error to report, not our death. */
	signal(SIGPIPE, SIG_IGN);
	return cli_dispatch(&cli, argc - 1, argv + 1);
}
