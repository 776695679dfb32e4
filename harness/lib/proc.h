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
	int out;	/* read end of its stdout+stderr, or -1 */
};

/*
 * Start argv[0] (searched in PATH) in a new process group, stdin from
 * /dev/null. With capture, stdout and stderr go to p->out; otherwise they go
 * to out_path (appended) or are inherited when out_path is NULL.
 * 0 or -errno.
 */
int proc_start(struct proc *p, char *const argv[], bool capture,
	       const char *out_path);
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
