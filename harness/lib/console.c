// SPDX-License-Identifier: GPL-2.0
#include "console.h"

#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *console_harness_line(const char *line)
{
	static const char *const tags[] = {
		CONSOLE_TAG_L1 ":", CONSOLE_TAG_VM ":", CONSOLE_TAG_JOB ":",
	};
	const char *m;

	for (m = strstr(line, "kvmi-"); m; m = strstr(m + 1, "kvmi-"))
		for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
			if (!strncmp(m, tags[i], strlen(tags[i])))
				return m;
	return NULL;
}

void console_say(const char *tag, const char *fmt, ...)
{
	const char *con = getenv("KVMI_CONSOLE");
	char msg[CONSOLE_LINE_MAX];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", tag, msg);
	f = con ? fopen(con, "w") : NULL;
	if (f) {
		fprintf(f, "%s: %s\n", tag, msg);
		fclose(f);
	}
}

static void emit(struct linebuf *lb, line_fn fn, void *ctx)
{
	while (lb->len && lb->buf[lb->len - 1] == '\r')
		lb->len--;
	lb->buf[lb->len] = '\0';
	fn(ctx, lb->buf);
	lb->len = 0;
}

void linebuf_feed(struct linebuf *lb, const char *data, size_t n,
		  line_fn fn, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			emit(lb, fn, ctx);
			continue;
		}
		if (lb->len == sizeof(lb->buf) - 1)
			emit(lb, fn, ctx);
		lb->buf[lb->len++] = data[i];
	}
}

void linebuf_flush(struct linebuf *lb, line_fn fn, void *ctx)
{
	if (lb->len)
		emit(lb, fn, ctx);
}

static const struct {
	const char *needle;
	const char *what;
} patterns[] = {
	/* The specific ones first: they print "BUG:" or "WARNING:" too. */
	{ "BUG: KASAN:", "kasan" },
	{ "BUG: KFENCE:", "kfence" },
	{ "soft lockup - CPU#", "soft lockup" },
	{ "hard LOCKUP", "hard lockup" },
	/* lockdep's reports start "WARNING: possible ..." */
	{ "possible circular locking dependency", "lockdep" },
	{ "possible recursive locking", "lockdep" },
	{ "suspicious RCU usage", "lockdep" },
	{ "inconsistent lock state", "lockdep" },
	{ "WARNING:", "warning" },
	{ "BUG:", "bug" },
	/* x86 BUG() and BUG_ON(): ud2, no "BUG:" */
	{ "kernel BUG at ", "kernel BUG" },
	{ "invalid opcode: ", "kernel BUG" },
	{ "Unable to handle kernel", "oops" },
	{ "UBSAN:", "ubsan" },
	{ "KASAN:", "kasan" },
	{ "KFENCE:", "kfence" },
	{ "suspected memory leak", "kmemleak" },
	{ "refcount_t:", "refcount" },
	{ "list_add corruption", "list corruption" },
	{ "list_del corruption", "list corruption" },
	/* page_poison=1: a free page written to before it is reused */
	{ "pagealloc: memory corruption", "page corruption" },
	{ "pagealloc: single bit error", "page corruption" },
	{ "DEBUG_LOCKS_WARN_ON", "lockdep" },
	{ "Oops", "oops" },
	{ "general protection fault", "general protection fault" },
	{ "Kernel panic", "panic" },
	/* Not "hung_task": initcall_debug's "calling  hung_task_init" has it. */
	{ "blocked for more than", "hung task" },
	{ "detected stalls on CPUs", "rcu stall" },
	{ "self-detected stall on CPU", "rcu stall" },
	{ "rcu_sched kthread starved", "rcu stall" },
	{ "rcu_preempt kthread starved", "rcu stall" },
};

/*
 * SLUB's debug checks (slub_debug=FPZU) print "BUG <cache> (<taint>): <what>",
 * e.g. "BUG kmalloc-cg-512 (Tainted: G OE): Poison overwritten": no "BUG:".
 */
static bool slub_bug(const char *line)
{
	const char *p = strstr(line, "BUG ");

	if (!p || (p != line && p[-1] != ' '))
		return false;
	p += 4;
	p += strcspn(p, " ");
	return p[0] == ' ' && p[1] == '(' && strstr(p, "): ");
}

const char *watchdog_match(const char *line)
{
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		if (strstr(line, patterns[i].needle))
			return patterns[i].what;
	if (slub_bug(line))
		return "slab corruption";
	return NULL;
}
