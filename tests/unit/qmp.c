// SPDX-License-Identifier: GPL-2.0
/* The QMP client against a real QEMU (no guest: -machine none). */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "proc.h"
#include "qmp.h"
#include "util.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct seen {
	int events;
	char reason[64];
};

static void on_event(void *ctx, struct json_object *ev)
{
	struct seen *s = ctx;
	const char *r = qmp_shutdown_reason(ev);

	s->events++;
	if (r)
		strfmt(s->reason, sizeof(s->reason), "%s", r);
}

FIXTURE(qemu) {
	char dir[64];
	char *sock, *pidfile;
	struct proc p;
	struct qmp q;
	struct seen seen;
};

FIXTURE_SETUP(qemu)
{
	char *argv[] = { "qemu-system-x86_64", "-machine", "none", "-nodefaults",
			 "-display", "none", "-qmp", NULL, "-pidfile", NULL, NULL };
	char *qmparg;

	strcpy(self->dir, "/tmp/kvmi-qmp-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	self->sock = xasprintf("%s/qmp", self->dir);
	self->pidfile = xasprintf("%s/pid", self->dir);
	qmparg = xasprintf("unix:%s,server=on,wait=off", self->sock);
	argv[7] = qmparg;
	argv[9] = self->pidfile;
	ASSERT_EQ(0, proc_start(&self->p, argv, NULL));
	free(qmparg);
	memset(&self->seen, 0, sizeof(self->seen));
	self->q.on_event = on_event;
	self->q.ctx = &self->seen;
	ASSERT_EQ(0, qmp_connect(&self->q, self->sock, now_ms() + 30000))
		TH_LOG("%s", self->q.err);
}

FIXTURE_TEARDOWN(qemu)
{
	qmp_close(&self->q);
	proc_kill(&self->p, 1000, NULL);
	unlink(self->sock);
	rmdir(self->dir);
	free(self->sock);
	free(self->pidfile);
}

TEST_F(qemu, command_and_its_answer)
{
	struct json_object *r = qmp_execute(&self->q, "query-status", NULL,
					    now_ms() + 10000), *v;

	ASSERT_NE(NULL, r) TH_LOG("%s", self->q.err);
	ASSERT_TRUE(json_object_object_get_ex(r, "status", &v));
	EXPECT_STREQ("running", json_object_get_string(v));
	json_object_put(r);
}

TEST_F(qemu, error_is_qemus_own_words)
{
	EXPECT_EQ(NULL, qmp_execute(&self->q, "no-such-command", NULL, now_ms() + 10000));
	EXPECT_NE(NULL, strstr(self->q.err, "no-such-command"));
	EXPECT_NE(NULL, strstr(self->q.err, "has not been found")) TH_LOG("%s", self->q.err);
}

TEST_F(qemu, pidfile_names_the_process)
{
	char *s = read_file(self->pidfile, NULL);

	ASSERT_NE(NULL, s);
	EXPECT_EQ(self->p.pid, atoi(s));
	free(s);
}

TEST_F(qemu, quit_gives_shutdown_with_its_reason_then_eof)
{
	struct json_object *r = qmp_execute(&self->q, "quit", NULL, now_ms() + 10000);
	int st, ret;

	json_object_put(r);
	/* The event may come before or after quit's answer. */
	for (int64_t end = now_ms() + 10000; !self->seen.reason[0] && now_ms() < end; )
		if (qmp_pump(&self->q))
			break;
	EXPECT_STREQ("host-qmp-quit", self->seen.reason);
	ASSERT_EQ(0, proc_wait_until(&self->p, now_ms() + 10000, &st));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	do
		ret = qmp_pump(&self->q);
	while (!ret);
	EXPECT_EQ(-EPIPE, ret);
}

TEST(no_socket_is_a_clear_error)
{
	struct qmp q = { 0 };

	EXPECT_EQ(-ETIMEDOUT, qmp_connect(&q, "/nonexistent/qmp", now_ms() + 100));
	EXPECT_NE(NULL, strstr(q.err, "cannot connect to /nonexistent/qmp"));
}

TEST_HARNESS_MAIN
