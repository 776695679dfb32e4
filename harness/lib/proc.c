// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* In the child: never returns. */
static void child(char *const argv[], const struct proc_opts *o, int in,
		  int out, pid_t parent)
{
	if (o->die_with_parent &&
	    (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent))
		_exit(126);	/* or the parent died before prctl */
	if (o->cpu > 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o->cpu - 1, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			_exit(126);
	}
	if (o->session)
		setsid();
	else
		setpgid(0, 0);
	if (in < 0)
		in = open("/dev/null", O_RDONLY);
	dup2(in, 0);
	if (out >= 0) {
		dup2(out, 1);
		dup2(out, 2);
	}
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	_exit(127);
}

int proc_start(struct proc *p, char *const argv[], const struct proc_opts *opts)
{
	static const struct proc_opts none;
	const struct proc_opts *o = opts ? opts : &none;
	/* [0] [1]: stdin pipe, [2] [3]: output pipe, [4]: output file */
	int fd[5] = { -1, -1, -1, -1, -1 }, e;
	pid_t pid, self = getpid();

	p->pid = -1;
	p->pidfd = -1;
	p->in = -1;
	p->out = -1;
	if (o->stdin_pipe && pipe2(fd, O_CLOEXEC))
		return -errno;
	if (o->capture && pipe2(fd + 2, O_CLOEXEC))
		goto fail;
	if (!o->capture && o->out_path) {
		fd[4] = open(o->out_path, O_WRONLY | O_CREAT | O_CLOEXEC |
			     (o->truncate ? O_TRUNC : O_APPEND), 0644);
		if (fd[4] < 0)
			goto fail;
	}
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0)
		child(argv, o, fd[0], o->capture ? fd[3] : fd[4], self);
	if (!o->session)
		setpgid(pid, pid);	/* whichever of us runs first */
	p->in = fd[1];
	p->out = fd[2];
	fd[1] = fd[2] = -1;
	close_fds(fd, 5);
	p->pid = pid;
	p->pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (p->pidfd < 0)
		return -errno;
	return 0;
fail:
	e = errno;
	close_fds(fd, 5);
	return -e;
}

int proc_wait_until(struct proc *p, int64_t deadline, int *status)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		struct pollfd pfd = { .fd = p->pidfd, .events = POLLIN };
		int st;

		if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
			if (status)
				*status = st;
			close(p->pidfd);
			p->pidfd = -1;
			p->pid = -1;
			return 0;
		}
		if (left <= 0)
			return -ETIMEDOUT;
		poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
	}
}

void proc_kill(struct proc *p, int grace_ms, int *status)
{
	if (p->pid <= 0)
		return;
	kill(-p->pid, SIGTERM);
	if (proc_wait_until(p, now_ms() + grace_ms, status) == 0)
		return;
	kill(-p->pid, SIGKILL);
	proc_wait_until(p, now_ms() + 60000, status);
}

int proc_run(char *const argv[], int timeout_ms)
{
	struct proc p;
	int st, ret = proc_start(&p, argv, NULL);

	if (ret)
		return ret;
	if (proc_wait_until(&p, now_ms() + timeout_ms, &st)) {
		proc_kill(&p, 1000, NULL);
		return -ETIMEDOUT;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

bool in_path(const char *name)
{
	const char *path = getenv("PATH");
	char *dirs, *save = NULL;
	bool found = false;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	dirs = xstrdup(path ? path : "/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &save); d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		char *f = xasprintf("%s/%s", d, name);

		found = access(f, X_OK) == 0;
		free(f);
	}
	free(dirs);
	return found;
}
