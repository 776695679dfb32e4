// SPDX-License-Identifier: GPL-2.0
/* The tools' command table: dispatch, help, usage errors, errno names. */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static int last_argc;

static int cmd_go(int argc, char **argv)
{
	(void)argv;
	last_argc = argc;
	return 7;
}

static const struct cli_cmd cmds[] = {
	{ "go", "A [B]", "go somewhere", cmd_go, 1, 2 },
	{ "stay", "", "stay", cmd_go, 0, 0 },
	{ NULL }
};

static const struct cli cli = {
	.prog = "kvmi-test", .summary = "a test tool", .cmds = cmds,
};

/* Run fn with stdout and stderr into a string; its return in *ret. */
static char *capture(int (*fn)(int, char **), int argc, char **argv, int *ret)
{
	char path[] = "/tmp/kvmi-cli-XXXXXX";
	int fd = mkstemp(path), o = dup(1), e = dup(2);
	char *s = malloc(4096);
	ssize_t n;

	fflush(stdout);
	fflush(stderr);
	dup2(fd, 1);
	dup2(fd, 2);
	*ret = fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(o, 1);
	dup2(e, 2);
	close(o);
	close(e);
	n = pread(fd, s, 4095, 0);
	s[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return s;
}

static int dispatch(int argc, char **argv)
{
	return cli_dispatch(&cli, argc, argv);
}

TEST(dispatches_with_its_arguments)
{
	char *argv[] = { "go", "a", "b", NULL };
	int ret;

	free(capture(dispatch, 3, argv, &ret));
	EXPECT_EQ(7, ret);
	EXPECT_EQ(3, last_argc);
}

TEST(help_lists_every_command_the_same_three_ways)
{
	const char *words[] = { "help", "-h", "--help" };

	for (int i = 0; i < 3; i++) {
		char *argv[] = { (char *)words[i], NULL };
		int ret;
		char *out = capture(dispatch, 1, argv, &ret);

		EXPECT_EQ(0, ret);
		EXPECT_NE(NULL, strstr(out, "usage: kvmi-test COMMAND [ARGS]"));
		EXPECT_NE(NULL, strstr(out, "go A [B]"));
		EXPECT_NE(NULL, strstr(out, "go somewhere"));
		EXPECT_NE(NULL, strstr(out, "stay"));
		EXPECT_EQ(NULL, strstr(out, "see the source"));
		free(out);
	}
}

TEST(usage_errors_are_2_and_say_what_to_type)
{
	char *unknown[] = { "fly", NULL }, *few[] = { "go", NULL };
	char *many[] = { "go", "1", "2", "3", NULL };
	char *out;
	int ret;

	out = capture(dispatch, 1, unknown, &ret);
	EXPECT_EQ(2, ret);
	EXPECT_NE(NULL, strstr(out, "unknown command \"fly\" (kvmi-test help lists them)"));
	free(out);
	out = capture(dispatch, 1, few, &ret);
	EXPECT_EQ(2, ret);
	EXPECT_NE(NULL, strstr(out, "usage: kvmi-test go A [B]"));
	free(out);
	out = capture(dispatch, 4, many, &ret);
	EXPECT_EQ(2, ret);
	free(out);
	out = capture(dispatch, 0, NULL, &ret);
	EXPECT_EQ(2, ret);
	free(out);
}

TEST(version)
{
	char *argv[] = { "--version", NULL };
	int ret;
	char *out = capture(dispatch, 1, argv, &ret);

	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, strncmp(out, "kvmi-test (kvmi-harness) ", 25));
	free(out);
}

TEST(errno_and_hypercall_names)
{
	EXPECT_STREQ("-EACCES", errno_name(-EACCES));
	EXPECT_STREQ("ENOENT", errno_name(ENOENT));
	EXPECT_STREQ("-12345", errno_name(-12345));
	EXPECT_STREQ("0", hc_ret_name(0));
	EXPECT_STREQ("-EFAULT", hc_ret_name(-14));
	EXPECT_STREQ("-EKEYEXPIRED", hc_ret_name(-127));
	EXPECT_STREQ("-KVM_ENOSYS", hc_ret_name(-1000));
	EXPECT_STREQ("-EPERM", hc_ret_name(-1));	/* -KVM_EPERM is -1 */
	EXPECT_STREQ("1", hc_ret_name(1));
	EXPECT_STREQ("-ENOENT (No such file or directory)", errno_str(ENOENT));
}

TEST_HARNESS_MAIN
