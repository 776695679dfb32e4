// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-agent: runs as PID 1 in an L2 guest and serves the control channel
 * (agent_proto.h) on the virtio-serial port "kvmi.ctl". Static binary.
 */
#define _GNU_SOURCE
#include "agent_proto.h"
#include "fdio.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int open_port(void)
{
	for (int tries = 0; tries < 500; tries++) {
		DIR *d = opendir("/sys/class/virtio-ports");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char *p = xasprintf("/sys/class/virtio-ports/%s/name", e->d_name);
			char *name = read_file(p, NULL);
			int fd = -1;

			free(p);
			if (name && !strcmp(name, AGENT_PORT_NAME "\n")) {
				p = xasprintf("/dev/%s", e->d_name);
				fd = open(p, O_RDWR | O_CLOEXEC);
				free(p);
			}
			free(name);
			if (fd >= 0) {
				closedir(d);
				return fd;
			}
		}
		if (d)
			closedir(d);
		usleep(20000);
	}
	return -1;
}

/* Forward what the command wrote; true at EOF. */
static bool drain(int port, int fd)
{
	char buf[16384];
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (frame_send(port, AGENT_OUT, buf, r, NULL, 0))
			return true;
	return r == 0;
}

static int run(int port, const struct agent_exec *x, const char *cmd,
	       const char *in, size_t inlen)
{
	int ip[2], op[2], st = 0, status;
	int64_t deadline = x->timeout_s ? now_ms() + x->timeout_s * 1000LL : -1;
	bool killed = false, eof = false;
	int pidfd;
	pid_t pid;

	if (pipe2(ip, O_CLOEXEC) || pipe2(op, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		setsid();
		dup2(ip[0], 0);
		dup2(op[1], 1);
		dup2(op[1], 2);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(ip[0]);
	close(op[1]);
	fcntl(ip[1], F_SETFL, O_NONBLOCK);
	fcntl(op[0], F_SETFL, O_NONBLOCK);
	if (!inlen) {
		close(ip[1]);
		ip[1] = -1;
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = pidfd, .events = POLLIN },
			{ .fd = eof ? -1 : op[0], .events = POLLIN },
			{ .fd = ip[1], .events = POLLOUT },
		};
		int64_t left = deadline >= 0 ? deadline - now_ms() : 1000;

		poll(pfd, 3, left < 0 ? 0 : left > 1000 ? 1000 : (int)left);
		if (ip[1] >= 0 && (pfd[2].revents & (POLLOUT | POLLERR))) {
			ssize_t w = write(ip[1], in, inlen);

			if (w > 0) {
				in += w;
				inlen -= w;
			}
			if (w < 0 || !inlen) {
				close(ip[1]);
				ip[1] = -1;
			}
		}
		eof = drain(port, op[0]);
		if (waitpid(pid, &st, WNOHANG) == pid) {
			/* Done; a background child may still hold the pipe. */
			drain(port, op[0]);
			break;
		}
		if (!killed && deadline >= 0 && now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			killed = true;
		}
	}
	close(pidfd);
	if (ip[1] >= 0)
		close(ip[1]);
	close(op[0]);
	if (killed)
		status = AGENT_STATUS_TIMEOUT;
	else
		status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return frame_send(port, AGENT_EXIT, &status, sizeof(status), NULL, 0);
}

int main(void)
{
	int port = open_port();

	if (port < 0) {
		fprintf(stderr, "kvmi-agent: no virtio-serial port %s\n", AGENT_PORT_NAME);
		return 1;
	}
	setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
	fprintf(stderr, "kvmi-agent: serving %s\n", AGENT_PORT_NAME);
	for (;;) {
		struct agent_hdr h;
		char *payload;
		int ret;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		ret = read_all(port, &h, sizeof(h), -1);
		if (ret == -EPIPE) {	/* nobody connected on the host side */
			usleep(20000);
			continue;
		}
		if (ret || h.len > AGENT_MAX_FRAME)
			continue;
		payload = xmalloc(h.len + 1);
		if (read_all(port, payload, h.len, now_ms() + 5000)) {
			free(payload);
			continue;
		}
		switch (h.type) {
		case AGENT_PING:
			frame_send(port, AGENT_PONG, NULL, 0, NULL, 0);
			break;
		case AGENT_EXEC: {
			struct agent_exec x;

			if (h.len < sizeof(x))
				break;
			memcpy(&x, payload, sizeof(x));
			if (x.cmd_len > h.len - sizeof(x))
				break;
			char *cmd = strndup(payload + sizeof(x), x.cmd_len);

			run(port, &x, cmd, payload + sizeof(x) + x.cmd_len,
			    h.len - sizeof(x) - x.cmd_len);
			free(cmd);
			break;
		}
		case AGENT_POWEROFF:
			frame_send(port, AGENT_PONG, NULL, 0, NULL, 0);
			fprintf(stderr, "kvmi-agent: powering off\n");
			sync();
			reboot(RB_POWER_OFF);
			break;
		}
		free(payload);
	}
}
