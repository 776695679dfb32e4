/* SPDX-License-Identifier: GPL-2.0 */
/* Child processes with deadlines. */
#ifndef KVMI_PROC_H
#define KVMI_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct proc {
	pid_t pid;
	int pidfd;	/* readable when the child exits */
	int in;		/* write end of its stdin, or -1 */
	int out;	/* read end of its stdout+stderr, or -1 */
};

/* How to start a child; all-zero is "inherit stdout and stderr". */
struct proc_opts {
	bool stdin_pipe;	/* stdin from p->in (else /dev/null) */
	bool capture;		/* stdout and stderr to p->out */
	const char *out_path;	/* else to this file (appended) ... */
	bool truncate;		/* ... or truncated first */
	int cpu;		/* pin to CPU cpu - 1 when > 0 */
	bool session;		/* setsid() rather than only a process group */
	bool die_with_parent;	/* SIGKILL if our process dies first, even by
				 * SIGKILL: no QEMU outlives its runner */
};

/*
 * The one way this project starts a process: argv[0] (searched in PATH) in
 * a process group of its own, so that proc_kill() reaches its children too.
 * Pipe ends handed to the parent are O_CLOEXEC. 0 or -errno.
 */
int proc_start(struct proc *p, char *const argv[], const struct proc_opts *o);
/* Wait until deadline (now_ms() clock). 0 with *status, or -ETIMEDOUT. */
int proc_wait_until(struct proc *p, int64_t deadline, int *status);
/* SIGTERM the group, SIGKILL after grace_ms, reap; *status if not NULL. */
void proc_kill(struct proc *p, int grace_ms, int *status);
/* Run to completion within timeout_ms; returns exit status, or -ETIMEDOUT
 * (the child is killed) or -errno. */
int proc_run(char *const argv[], int timeout_ms);
/* Find an executable in PATH; true if found. */
bool in_path(const char *name);

#endif
