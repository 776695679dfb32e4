// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "cli.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#ifndef KVMI_VERSION
#define KVMI_VERSION "unknown"
#endif

void cli_usage(const struct cli *c, FILE *f)
{
	int w = 0;

	for (const struct cli_cmd *m = c->cmds; m->name; m++) {
		int n = (int)(strlen(m->name) + 1 + strlen(m->args ? m->args : ""));

		if (n > w)
			w = n;
	}
	if (w > 32)	/* longer ones get their help on the next line */
		w = 32;
	fprintf(f, "%s: %s\n\nusage: %s %sCOMMAND [ARGS]\n\ncommands:\n",
		c->prog, c->summary, c->prog, c->options ? "[OPTIONS] " : "");
	for (const struct cli_cmd *m = c->cmds; m->name; m++) {
		char *lhs = xasprintf("%s %s", m->name, m->args ? m->args : "");

		if ((int)strlen(lhs) > w)
			fprintf(f, "  %s\n  %-*s  %s\n", lhs, w, "", m->help);
		else
			fprintf(f, "  %-*s  %s\n", w, lhs, m->help);
		free(lhs);
	}
	fprintf(f, "  %-*s  %s\n", w, "help", "this text (also -h, --help)");
	if (c->options)
		fprintf(f, "\noptions:\n%s", c->options);
	if (c->footer)
		fprintf(f, "\n%s", c->footer);
}

int cli_dispatch(const struct cli *c, int argc, char **argv)
{
	if (argc < 1) {
		cli_usage(c, stderr);
		return 2;
	}
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "-h") ||
	    !strcmp(argv[0], "--help")) {
		cli_usage(c, stdout);
		return 0;
	}
	if (!strcmp(argv[0], "--version"))
		return cli_version(c->prog);
	for (const struct cli_cmd *m = c->cmds; m->name; m++) {
		if (strcmp(argv[0], m->name))
			continue;
		if (argc - 1 < m->min_args ||
		    (m->max_args >= 0 && argc - 1 > m->max_args))
			return cli_cmd_usage(c, m->name);
		return m->fn(argc, argv);
	}
	fprintf(stderr, "%s: unknown command \"%s\" (%s help lists them)\n",
		c->prog, argv[0], c->prog);
	return 2;
}

int cli_cmd_usage(const struct cli *c, const char *cmd)
{
	for (const struct cli_cmd *m = c->cmds; m->name; m++)
		if (!strcmp(cmd, m->name))
			fprintf(stderr, "usage: %s %s %s\n", c->prog, m->name,
				m->args ? m->args : "");
	return 2;
}

int cli_version(const char *prog)
{
	printf("%s (kvmi-harness) %s\n", prog, KVMI_VERSION);
	return 0;
}

uint64_t cli_u64_range(const char *prog, const char *s, uint64_t min,
		       uint64_t max)
{
	uint64_t v;

	if (parse_u64(s, &v) || v < min || v > max) {
		fprintf(stderr, "%s: \"%s\" is not a number in [%llu, %llu]\n",
			prog, s ? s : "", (unsigned long long)min,
			(unsigned long long)max);
		exit(2);
	}
	return v;
}

const char *hc_ret_name(long ret)
{
	static __thread char buf[32];

	switch (ret) {
	case 0:
		return "0";
	case -1000:
		return "-KVM_ENOSYS";
	case -95:
		return "-KVM_EOPNOTSUPP";
	}
	if (ret < 0 && ret > -4096)
		return errno_name(ret);
	snprintf(buf, sizeof(buf), "%ld", ret);
	return buf;
}

const char *errno_str(int e)
{
	static __thread char buf[160];

	snprintf(buf, sizeof(buf), "%s (%s)", errno_name(-(long)e), strerror(e));
	return buf;
}

const char *errno_name(long err)
{
	static __thread char buf[32];
	const char *n = strerrorname_np(err < 0 ? (int)-err : (int)err);

	if (!n)
		snprintf(buf, sizeof(buf), "%ld", err);
	else
		snprintf(buf, sizeof(buf), "%s%s", err < 0 ? "-" : "", n);
	return buf;
}
