// SPDX-License-Identifier: GPL-2.0
#include "console.h"

#include <string.h>

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
	{ "WARNING:", "warning" },
	{ "BUG:", "bug" },
	{ "Oops", "oops" },
	{ "general protection fault", "general protection fault" },
	{ "Kernel panic", "panic" },
	{ "possible circular locking dependency", "lockdep" },
	{ "possible recursive locking", "lockdep" },
	{ "inconsistent lock state", "lockdep" },
	{ "suspicious RCU usage", "lockdep" },
	{ "blocked for more than", "hung task" },
	{ "hung_task", "hung task" },
	{ "detected stalls on CPUs", "rcu stall" },
	{ "self-detected stall on CPU", "rcu stall" },
	{ "rcu_sched kthread starved", "rcu stall" },
	{ "rcu_preempt kthread starved", "rcu stall" },
};

const char *watchdog_match(const char *line)
{
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		if (strstr(line, patterns[i].needle))
			return patterns[i].what;
	return NULL;
}
