/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small QMP client (QEMU's JSON monitor) on json-c: connect to a QEMU's
 * "-qmp unix:PATH,server=on,wait=off" socket, run commands, and take its
 * events, SHUTDOWN's reason above all (guest-reset, guest-panic,
 * guest-shutdown, host-signal, host-qmp-quit, ...).
 */
#ifndef KVMI_QMP_H
#define KVMI_QMP_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*qmp_event_fn)(void *ctx, struct json_object *event);

struct qmp {
	int fd;
	char *buf;		/* bytes not yet parsed */
	size_t len, cap;
	qmp_event_fn on_event;	/* events, as they arrive; may be NULL */
	void *ctx;
	char err[256];
};

/*
 * Connect (retrying until deadline, on the now_ms() clock: QEMU creates the
 * socket as it starts), read the greeting and leave capabilities
 * negotiation. 0 or -errno, with q->err saying what went wrong.
 */
int qmp_connect(struct qmp *q, const char *path, int64_t deadline);
/*
 * Run a command; its "return" value (the caller puts it), or NULL with
 * q->err set (QEMU's error description, a timeout, or EOF). Events that
 * arrive meanwhile go to q->on_event.
 */
struct json_object *qmp_execute(struct qmp *q, const char *cmd,
				struct json_object *args, int64_t deadline);
/*
 * Read what is there without blocking and hand each event to q->on_event:
 * for a caller that polls q->fd. 0, or -EPIPE once QEMU has closed it.
 */
int qmp_pump(struct qmp *q);
void qmp_close(struct qmp *q);

/* An event's name ("SHUTDOWN", ...), and a SHUTDOWN event's reason. */
const char *qmp_event_name(struct json_object *event);
const char *qmp_shutdown_reason(struct json_object *event);

#endif
