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
 * The console protocol: harness lines are "kvmi-<who>: text", from L1's
 * init and stage 2 ("kvmi-l1:"), kvmi-vm ("kvmi-vm:") and L1 jobs
 * ("kvmi-job:"). C writers use console_say(); the shell writers in
 * harness/l1/ print the same prefixes (harness/README.md).
 */
#define CONSOLE_TAG_L1		"kvmi-l1"
#define CONSOLE_TAG_VM		"kvmi-vm"
#define CONSOLE_TAG_JOB		"kvmi-job"
/* L1 stage 2 prints this every 10 s: L1 is alive. */
#define CONSOLE_HEARTBEAT	CONSOLE_TAG_L1 ": heartbeat"
#define CONSOLE_USERSPACE	CONSOLE_TAG_L1 ": userspace"
/* The last line of a kmemleak report (harness/lib/kmemleak-scan.sh). */
#define CONSOLE_KMEMLEAK_END	": kmemleak: end of report"

/* The harness line within a console line, from its tag on; NULL if none. */
const char *console_harness_line(const char *line);
/* "tag: text" on stderr, and on $KVMI_CONSOLE when set (L1's console). */
void console_say(const char *tag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Return the name of the trouble a kernel console line shows, or NULL: a
 * WARNING, BUG (also x86's "kernel BUG at" and "invalid opcode"), oops,
 * panic, KASAN, KFENCE, UBSAN, kmemleak, refcount or list corruption,
 * lockdep splat, hung task, RCU stall, soft or hard lockup.
 */
const char *watchdog_match(const char *line);

#endif
