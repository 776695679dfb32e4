// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "fdio.h"
#include "agent_proto.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A socket's writes are sends with MSG_NOSIGNAL: a peer gone is -EPIPE. */
static int out_all(int fd, const void *buf, size_t len, bool sock)
{
	const char *p = buf;

	while (len) {
		ssize_t w = sock ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			poll(&pfd, 1, 1000);
			continue;
		}
		if (w < 0)
			return -errno;
		p += w;
		len -= w;
	}
	return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	return out_all(fd, buf, len, false);
}

int send_all(int fd, const void *buf, size_t len)
{
	return out_all(fd, buf, len, true);
}

/* EOF_WAITS: a read of 0 is "no writer just now", not the end. */
static int in_all(int fd, void *buf, size_t len, int64_t deadline, bool eof_waits)
{
	char *p = buf;

	while (len) {
		ssize_t r;

		if (deadline >= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int64_t left = deadline - now_ms();

			if (left <= 0)
				return -ETIMEDOUT;
			if (poll(&pfd, 1, left > 1000 ? 1000 : (int)left) <= 0)
				continue;
		}
		r = read(fd, p, len);

		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return -errno;
		if (r == 0 && !eof_waits)
			return -EPIPE;
		if (r == 0) {	/* poll says POLLHUP at once: do not spin */
			usleep(20000);
			continue;
		}
		p += r;
		len -= r;
	}
	return 0;
}

int read_all(int fd, void *buf, size_t len, int64_t deadline)
{
	return in_all(fd, buf, len, deadline, false);
}

int read_port(int fd, void *buf, size_t len, int64_t deadline)
{
	return in_all(fd, buf, len, deadline, true);
}

int frame_send(int fd, uint32_t type, const void *a, size_t alen,
	       const void *b, size_t blen)
{
	struct agent_hdr h = { .type = type, .len = alen + blen };
	size_t len = sizeof(h) + alen + blen;
	char *f = malloc(len);
	int ret;

	if (!f)
		return -ENOMEM;
	memcpy(f, &h, sizeof(h));
	if (alen)
		memcpy(f + sizeof(h), a, alen);
	if (blen)
		memcpy(f + sizeof(h) + alen, b, blen);
	ret = write_all(fd, f, len);
	free(f);
	return ret;
}
