/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One way to write a command-line tool, in the style of bpftool's command
 * table: "prog COMMAND [ARGS]", with "help", "-h"/"--help" and "--version"
 * handled alike everywhere, and usage text that says what to type.
 */
#ifndef KVMI_CLI_H
#define KVMI_CLI_H

#include <stdint.h>
#include <stdio.h>

struct cli_cmd {
	const char *name;
	const char *args;	/* its arguments, as typed */
	const char *help;	/* one line: what it does */
	int (*fn)(int argc, char **argv);	/* argv[0] is the command */
	int min_args, max_args;	/* after the command word; max -1: any */
};

struct cli {
	const char *prog;
	const char *summary;	/* one line: what the tool is for */
	const char *options;	/* options before the command, or NULL */
	const char *footer;	/* more usage text, or NULL */
	const struct cli_cmd *cmds;	/* ends with a { NULL } entry */
};

/* The usage text built from the table. */
void cli_usage(const struct cli *c, FILE *f);
/*
 * Run argv[0]'s command (argv is what follows the program's own options):
 * help, -h, --help and --version are answered here; an unknown or missing
 * command gets the usage on stderr and 2.
 */
int cli_dispatch(const struct cli *c, int argc, char **argv);
/* "usage: PROG CMD ARGS" for one command, on stderr; returns 2. */
int cli_cmd_usage(const struct cli *c, const char *cmd);
/* "PROG (kvmi-harness) VERSION"; returns 0. */
int cli_version(const char *prog);
/* A number in [min, max], or a message naming prog and exit(2). */
uint64_t cli_u64_range(const char *prog, const char *s, uint64_t min,
		       uint64_t max);
/* The symbolic name of an errno value, sign kept: -13 -> "-EACCES". */
const char *errno_name(long err);
/*
 * A hypercall's return value by name: 0, KVM's own codes (-1000 is
 * -KVM_ENOSYS, -KVM_EOPNOTSUPP, ...; -KVM_EPERM is -1, printed -EPERM), and
 * the errnos the host handler returns.
 */
const char *hc_ret_name(long ret);
/* "-ENOENT (No such file or directory)" for an errno value e (positive). */
const char *errno_str(int e);

#endif
