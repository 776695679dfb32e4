// SPDX-License-Identifier: GPL-2.0
/* Deadlines: a hung child is killed at its timeout, with its whole group. */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Running, not merely an unreaped zombie (its reaper is not us). */
static bool running(pid_t pid)
{
	char *p = xasprintf("/proc/%d/stat", pid), *s = read_file(p, NULL);
	char *rp = s ? strrchr(s, ')') : NULL;
	bool ret = rp && rp[2] != 'Z' && rp[2] != 'X';

	free(p);
	free(s);
	return ret;
}

TEST(exit_status_comes_back)
{
	char *argv[] = { "sh", "-c", "exit 3", NULL };

	EXPECT_EQ(3, proc_run(argv, 10000));
}

TEST(missing_program_is_127)
{
	char *argv[] = { "/nonexistent/kvmi-no-such-program", NULL };

	EXPECT_EQ(127, proc_run(argv, 10000));
}

TEST(hung_child_times_out_and_is_killed)
{
	char *argv[] = { "sleep", "30", NULL };
	struct proc p;
	int st = 0;

	ASSERT_EQ(0, proc_start(&p, argv, NULL));
	pid_t pid = p.pid;

	EXPECT_EQ(-ETIMEDOUT, proc_wait_until(&p, now_ms() + 200, &st));
	EXPECT_EQ(0, kill(pid, 0));	/* still there at the deadline */
	proc_kill(&p, 10000, &st);	/* SIGTERM is enough: it dies at once */
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(SIGTERM, WTERMSIG(st));
	EXPECT_EQ(-1, kill(pid, 0));	/* reaped */
}

/* Until pid is gone (it dies at once; the bound is generous). */
static bool gone(pid_t pid)
{
	int64_t until = now_ms() + 10000;

	while (running(pid) && now_ms() < until)
		usleep(10000);
	return !running(pid);
}

TEST(term_ignored_then_sigkill)
{
	char *argv[] = { "sh", "-c", "trap '' TERM; echo ready; sleep 30", NULL };
	struct proc p;
	char buf[8] = { 0 };
	int st = 0;

	ASSERT_EQ(0, proc_start(&p, argv, &(struct proc_opts){ .capture = true }));
	ASSERT_EQ(6, read(p.out, buf, 6));	/* the trap is set */
	EXPECT_STREQ("ready\n", buf);
	proc_kill(&p, 300, &st);
	close(p.out);
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(SIGKILL, WTERMSIG(st));
}

TEST(timeout_kills_the_whole_group)
{
	char tmpl[] = "/tmp/kvmi-proc-XXXXXX";
	int fd = mkstemp(tmpl);
	char *cmd = xasprintf("sleep 30 & echo $! > %s; wait", tmpl);
	char *argv[] = { "sh", "-c", cmd, NULL };
	pid_t grandchild = 0;
	char *s = NULL;

	ASSERT_LE(0, fd);
	close(fd);
	/* The grandchild must exist at the deadline: on a loaded machine sh may
	 * not have started it yet, so try again with a longer timeout. */
	for (int ms = 300; !grandchild && ms <= 10000; ms *= 2) {
		EXPECT_EQ(-ETIMEDOUT, proc_run(argv, ms));
		free(s);
		s = read_file(tmpl, NULL);
		grandchild = s ? atoi(s) : 0;
	}
	ASSERT_LT(0, grandchild);
	EXPECT_TRUE(gone(grandchild)) TH_LOG("grandchild %d survived", grandchild);
	unlink(tmpl);
	free(s);
	free(cmd);
}

/*
 * A runner killed with SIGKILL runs no handler: die_with_parent is what
 * stops its QEMU. The middle process here plays the runner.
 */
TEST(child_dies_with_its_parent)
{
	char *argv[] = { "sleep", "30", NULL };
	int fd[2], st;
	pid_t mid, orphan = 0;

	ASSERT_EQ(0, pipe(fd));
	mid = fork();
	ASSERT_LE(0, mid);
	if (mid == 0) {
		struct proc p;

		if (proc_start(&p, argv,
			       &(struct proc_opts){ .die_with_parent = true }))
			_exit(1);
		if (write(fd[1], &p.pid, sizeof(p.pid)) != sizeof(p.pid))
			_exit(1);
		pause();	/* until SIGKILL */
		_exit(1);
	}
	close(fd[1]);
	ASSERT_EQ(sizeof(orphan), read(fd[0], &orphan, sizeof(orphan)));
	close(fd[0]);
	EXPECT_TRUE(running(orphan));
	kill(mid, SIGKILL);
	ASSERT_EQ(mid, waitpid(mid, &st, 0));
	EXPECT_TRUE(gone(orphan)) TH_LOG("sleep %d outlived its parent", orphan);
	if (running(orphan))
		kill(orphan, SIGKILL);
}

TEST(captured_output)
{
	char *argv[] = { "sh", "-c", "echo out; echo err >&2", NULL };
	struct proc p;
	char buf[64] = { 0 };
	size_t n = 0;
	ssize_t r;
	int st;

	ASSERT_EQ(0, proc_start(&p, argv, &(struct proc_opts){ .capture = true }));
	while ((r = read(p.out, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	close(p.out);
	ASSERT_EQ(0, proc_wait_until(&p, now_ms() + 5000, &st));
	EXPECT_STREQ("out\nerr\n", buf);
}

TEST(stdin_pipe_and_cpu_pinning)
{
	char *argv[] = { "sh", "-c",
		"cat; grep Cpus_allowed_list /proc/self/status | cut -f2", NULL };
	struct proc_opts o = { .stdin_pipe = true, .capture = true, .cpu = 1 };
	struct proc p;
	char buf[64] = { 0 };
	size_t n = 0;
	ssize_t r;
	int st;

	ASSERT_EQ(0, proc_start(&p, argv, &o));
	ASSERT_EQ(3, write(p.in, "in\n", 3));
	close(p.in);
	while ((r = read(p.out, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	close(p.out);
	ASSERT_EQ(0, proc_wait_until(&p, now_ms() + 5000, &st));
	EXPECT_STREQ("in\n0\n", buf);
}

TEST(output_file_truncated_or_appended)
{
	char path[] = "/tmp/kvmi-proc-XXXXXX";
	char *argv[] = { "echo", "x", NULL };
	struct proc_opts o = { .out_path = path };
	struct proc p;
	char *got;
	int st;

	close(mkstemp(path));
	write_file(path, "old\n", 4);
	ASSERT_EQ(0, proc_start(&p, argv, &o));
	ASSERT_EQ(0, proc_wait_until(&p, now_ms() + 5000, &st));
	got = read_file(path, NULL);
	EXPECT_STREQ("old\nx\n", got);
	free(got);
	o.truncate = true;
	ASSERT_EQ(0, proc_start(&p, argv, &o));
	ASSERT_EQ(0, proc_wait_until(&p, now_ms() + 5000, &st));
	got = read_file(path, NULL);
	EXPECT_STREQ("x\n", got);
	free(got);
	unlink(path);
}

TEST(in_path_lookup)
{
	EXPECT_TRUE(in_path("sh"));
	EXPECT_FALSE(in_path("kvmi-surely-not-installed"));
}

TEST_HARNESS_MAIN
