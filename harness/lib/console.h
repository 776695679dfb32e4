/* SPDX-License-Identifier: GPL-2.0 */
/* Console streams: split into lines and scan for kernel trouble. */
#ifndef KVMI_CONSOLE_H
#define KVMI_CONSOLE_H

#include <stddef.h>

#define CONSOLE_LINE_MAX 1024

struct linebuf {
	char buf[CONSOLE_LINE_MAX];
	size_t len;
};

typedef void (*line_fn)(void *ctx, const char *line);

/*
 * Feed raw bytes; call fn for each complete line (without '\n' or '\r').
 * Lines longer than CONSOLE_LINE_MAX are split.
 */
void linebuf_feed(struct linebuf *lb, const char *data, size_t n,
		  line_fn fn, void *ctx);
/* Emit a pending partial line, if any. */
void linebuf_flush(struct linebuf *lb, line_fn fn, void *ctx);

/*
 * Return the name of the trouble a kernel console line shows (a WARNING,
 * BUG, oops, panic, lockdep splat, hung task or RCU stall), or NULL.
 */
const char *watchdog_match(const char *line);

#endif
