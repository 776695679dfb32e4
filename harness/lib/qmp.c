// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "qmp.h"
#include "fdio.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The next complete message (QEMU ends each with "\r\n"), or NULL. */
static struct json_object *take_message(struct qmp *q)
{
	char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
	struct json_object *msg;
	size_t n;

	if (!nl)
		return NULL;
	*nl = '\0';
	msg = json_tokener_parse(q->buf);
	n = nl + 1 - q->buf;
	memmove(q->buf, nl + 1, q->len - n);
	q->len -= n;
	return msg ? msg : json_object_new_object();	/* skip garbage */
}

/* Read once: 0, -EAGAIN when nothing is there, or -EPIPE at EOF. */
static int fill(struct qmp *q)
{
	ssize_t r;

	if (q->cap - q->len < 4096) {
		q->cap = q->cap ? q->cap * 2 : 8192;
		q->buf = realloc(q->buf, q->cap);
		if (!q->buf)
			abort();
	}
	r = read(q->fd, q->buf + q->len, q->cap - q->len);
	if (r > 0) {
		q->len += r;
		return 0;
	}
	if (r == 0 || (r < 0 && errno == ECONNRESET))
		return -EPIPE;
	return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

/* The next message that is not an event, waiting until deadline. */
static struct json_object *next_reply(struct qmp *q, int64_t deadline)
{
	for (;;) {
		struct json_object *msg = take_message(q);
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		int64_t left;
		int ret;

		if (msg && qmp_event_name(msg)) {
			if (q->on_event)
				q->on_event(q->ctx, msg);
			json_object_put(msg);
			continue;
		}
		if (msg)
			return msg;
		left = deadline - now_ms();
		if (left <= 0) {
			strfmt(q->err, sizeof(q->err), "no answer from QEMU in time");
			return NULL;
		}
		poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		ret = fill(q);
		if (ret && ret != -EAGAIN) {
			strfmt(q->err, sizeof(q->err), "QMP connection closed");
			return NULL;
		}
	}
}

int qmp_connect(struct qmp *q, const char *path, int64_t deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct json_object *greeting, *ret;
	qmp_event_fn fn = q->on_event;
	void *ctx = q->ctx;

	memset(q, 0, sizeof(*q));
	q->on_event = fn;
	q->ctx = ctx;
	q->fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		strfmt(q->err, sizeof(q->err), "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	strfmt(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	for (;;) {
		q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (q->fd < 0)
			return -errno;
		if (!connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		close(q->fd);
		q->fd = -1;
		if (now_ms() > deadline) {
			strfmt(q->err, sizeof(q->err), "cannot connect to %s: %s",
			       path, strerror(errno));
			return -ETIMEDOUT;
		}
		usleep(20000);
	}
	greeting = next_reply(q, deadline);
	if (!greeting || !json_object_object_get_ex(greeting, "QMP", NULL)) {
		json_object_put(greeting);
		if (!q->err[0])
			strfmt(q->err, sizeof(q->err), "%s: no QMP greeting", path);
		qmp_close(q);
		return -EPROTO;
	}
	json_object_put(greeting);
	ret = qmp_execute(q, "qmp_capabilities", NULL, deadline);
	if (!ret) {
		qmp_close(q);
		return -EPROTO;
	}
	json_object_put(ret);
	return 0;
}

struct json_object *qmp_execute(struct qmp *q, const char *cmd,
				struct json_object *args, int64_t deadline)
{
	struct json_object *req = json_object_new_object(), *reply, *v, *d;
	const char *s;
	char *line;
	int ret;

	q->err[0] = '\0';
	json_object_object_add(req, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(req, "arguments", json_object_get(args));
	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	line = xasprintf("%s\n", s);
	json_object_put(req);
	/*
	 * One send: QEMU runs a command as soon as its JSON closes, so after
	 * "quit" it may be gone before a second write (SIGPIPE killed the
	 * caller). MSG_NOSIGNAL: a QEMU gone is -EPIPE, not a signal.
	 */
	ret = send_all(q->fd, line, strlen(line));
	free(line);
	if (ret) {
		strfmt(q->err, sizeof(q->err), "%s: cannot send: %s", cmd, strerror(-ret));
		return NULL;
	}
	reply = next_reply(q, deadline);
	if (!reply)
		return NULL;
	if (json_object_object_get_ex(reply, "return", &v)) {
		json_object_get(v);
		json_object_put(reply);
		return v;
	}
	if (json_object_object_get_ex(reply, "error", &v) &&
	    json_object_object_get_ex(v, "desc", &d))
		strfmt(q->err, sizeof(q->err), "%s: %s", cmd, json_object_get_string(d));
	else
		strfmt(q->err, sizeof(q->err), "%s: unexpected answer %s", cmd,
		       json_object_to_json_string(reply));
	json_object_put(reply);
	return NULL;
}

int qmp_pump(struct qmp *q)
{
	int ret;

	do {
		struct json_object *msg;

		ret = fill(q);
		while ((msg = take_message(q))) {
			if (q->on_event && qmp_event_name(msg))
				q->on_event(q->ctx, msg);
			json_object_put(msg);
		}
	} while (!ret);
	return ret == -EAGAIN ? 0 : ret;
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->buf);
	q->buf = NULL;
	q->len = q->cap = 0;
}

const char *qmp_event_name(struct json_object *event)
{
	struct json_object *v;

	if (!json_object_object_get_ex(event, "event", &v))
		return NULL;
	return json_object_get_string(v);
}

const char *qmp_shutdown_reason(struct json_object *event)
{
	struct json_object *d, *r;
	const char *name = qmp_event_name(event);

	if (!name || strcmp(name, "SHUTDOWN") ||
	    !json_object_object_get_ex(event, "data", &d) ||
	    !json_object_object_get_ex(d, "reason", &r))
		return NULL;
	return json_object_get_string(r);
}
