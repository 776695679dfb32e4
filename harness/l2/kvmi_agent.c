// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-agent: runs as PID 1 in an L2 guest and serves the control channel
 * (agent_proto.h) on the virtio-serial port "kvmi.ctl". Static binary.
 */
#define _GNU_SOURCE
#include "agent_proto.h"
#include "cli.h"
#include "fdio.h"
#include "proc.h"
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
	static const struct proc_opts po = {
		.stdin_pipe = true, .capture = true, .session = true,
	};
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	int64_t deadline = x->timeout_s ? now_ms() + x->timeout_s * 1000LL : -1;
	bool killed = false, eof = false;
	int st = 0, status, ret;
	struct proc p;

	ret = proc_start(&p, argv, &po);
	if (ret)
		return ret;
	fcntl(p.in, F_SETFL, O_NONBLOCK);
	fcntl(p.out, F_SETFL, O_NONBLOCK);
	if (!inlen) {
		close(p.in);
		p.in = -1;
	}
	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = p.pidfd, .events = POLLIN },
			{ .fd = eof ? -1 : p.out, .events = POLLIN },
			{ .fd = p.in, .events = POLLOUT },
		};
		int64_t left = deadline >= 0 ? deadline - now_ms() : 1000;

		poll(pfd, 3, left < 0 ? 0 : left > 1000 ? 1000 : (int)left);
		if (p.in >= 0 && (pfd[2].revents & (POLLOUT | POLLERR))) {
			ssize_t w = write(p.in, in, inlen);

			if (w > 0) {
				in += w;
				inlen -= w;
			}
			if (w < 0 || !inlen) {
				close(p.in);
				p.in = -1;
			}
		}
		eof = drain(port, p.out);
		if (waitpid(p.pid, &st, WNOHANG) == p.pid) {
			/* Done; a background child may still hold the pipe. */
			drain(port, p.out);
			break;
		}
		if (!killed && deadline >= 0 && now_ms() >= deadline) {
			kill(-p.pid, SIGKILL);
			killed = true;
		}
	}
	close(p.pidfd);
	if (p.in >= 0)
		close(p.in);
	close(p.out);
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
		/* Until a host connects and sends: a header is never split. */
		ret = read_port(port, &h, sizeof(h), -1);
		/*
		 * Every frame dropped is said on the console: a request lost
		 * here leaves the host waiting for an answer to its deadline
		 * (kvmi-vm's "lost the agent"), and only this says why.
		 */
		if (ret) {
			fprintf(stderr, "kvmi-agent: reading a frame: %s\n", errno_str(-ret));
			usleep(20000);
			continue;
		}
		if (h.len > AGENT_MAX_FRAME) {
			fprintf(stderr, "kvmi-agent: dropped a frame of %u bytes: over the limit\n",
				h.len);
			continue;
		}
		payload = xmalloc(h.len + 1);
		ret = read_port(port, payload, h.len, now_ms() + 5000);
		if (ret) {
			fprintf(stderr, "kvmi-agent: dropped a frame of type %u: its %u bytes: %s\n",
				h.type, h.len, errno_str(-ret));
			free(payload);
			continue;
		}
		switch (h.type) {
		case AGENT_PING:	/* the nonce back: see agent_proto.h */
			frame_send(port, AGENT_PONG, payload, h.len, NULL, 0);
			break;
		case AGENT_EXEC: {
			struct agent_exec x = { 0 };
			char *cmd;

			if (h.len >= sizeof(x))
				memcpy(&x, payload, sizeof(x));
			if (h.len < sizeof(x) || x.cmd_len > h.len - sizeof(x)) {
				fprintf(stderr, "kvmi-agent: dropped a malformed request\n");
				break;
			}
			cmd = strndup(payload + sizeof(x), x.cmd_len);
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
