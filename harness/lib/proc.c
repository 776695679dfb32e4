// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int proc_start(struct proc *p, char *const argv[], bool capture,
	       const char *out_path)
{
	int pfd[2] = { -1, -1 }, outfd = -1;
	pid_t pid;

	p->pid = -1;
	p->pidfd = -1;
	p->out = -1;
	if (capture && pipe2(pfd, O_CLOEXEC))
		return -errno;
	if (!capture && out_path) {
		outfd = open(out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			     0644);
		if (outfd < 0)
			return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;

		if (capture) {
			close(pfd[0]);
			close(pfd[1]);
		}
		if (outfd >= 0)
			close(outfd);
		return -e;
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int o = capture ? pfd[1] : outfd;

		setpgid(0, 0);
		dup2(in, 0);
		if (o >= 0) {
			dup2(o, 1);
			dup2(o, 2);
		}
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);
	if (capture) {
		close(pfd[1]);
		p->out = pfd[0];
	}
	if (outfd >= 0)
		close(outfd);
	p->pid = pid;
	p->pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (p->pidfd < 0)
		return -errno;
	return 0;
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
	int st, ret = proc_start(&p, argv, false, NULL);

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
