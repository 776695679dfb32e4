// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's framing (harness/lib/fdio.h), on a FIFO, whose reads behave as
 * a virtio-serial port's: 0 while no writer is connected, data again when
 * one is. The failure it guards: the agent dropped a request whose header
 * came in before the port heard of its new client, and then took the
 * request's payload for the next header.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "agent_proto.h"
#include "fdio.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

FIXTURE(port) {
	char dir[64], fifo[80];
	int rd;
};

FIXTURE_SETUP(port)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/unit-fdio-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->fifo, sizeof(self->fifo), "%s/port", self->dir);
	ASSERT_EQ(0, mkfifo(self->fifo, 0600));
	self->rd = open(self->fifo, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->rd);
}

FIXTURE_TEARDOWN(port)
{
	close(self->rd);
	unlink(self->fifo);
	rmdir(self->dir);
}

/* A client connects, writes LEN bytes of BUF, goes. */
static int client(const char *fifo, const void *buf, size_t len)
{
	int fd = open(fifo, O_WRONLY), ret;

	if (fd < 0)
		return -errno;
	ret = write_all(fd, buf, len);
	close(fd);
	return ret;
}

/*
 * The header, then no writer (the port's stale "no host"), then the payload
 * from a writer that connects later: one frame, and what follows is the
 * next header, not the payload's tail.
 */
TEST_F(port, payload_after_a_moment_of_no_writer)
{
	struct agent_hdr h = { .type = AGENT_PING, .len = 8 }, next;
	uint64_t nonce = 0x000000d200026369ull, got = 0;
	char byte;
	pid_t pid;
	int st;

	ASSERT_EQ(0, client(self->fifo, &h, sizeof(h)));
	ASSERT_EQ(0, read_all(self->rd, &h, sizeof(h), now_ms() + 10000));
	/* No writer now: a read says so, as the stale port does. */
	ASSERT_EQ(0, read(self->rd, &byte, 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct agent_hdr n = { .type = AGENT_POWEROFF, .len = 0 };

		/* After the reader has seen the writer gone (not a bound). */
		usleep(200000);
		_exit(client(self->fifo, &nonce, sizeof(nonce)) ||
		      client(self->fifo, &n, sizeof(n)));
	}
	EXPECT_EQ(0, read_port(self->rd, &got, sizeof(got), now_ms() + 30000));
	EXPECT_EQ(nonce, got);
	EXPECT_EQ(0, read_port(self->rd, &next, sizeof(next), now_ms() + 30000));
	EXPECT_EQ(AGENT_POWEROFF, next.type);
	EXPECT_EQ(0, next.len);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, st);
}

/* read_all, by contrast, calls a writer gone the end (and the frame lost). */
TEST_F(port, read_all_calls_no_writer_the_end)
{
	struct agent_hdr h = { .type = AGENT_PING, .len = 8 };
	char buf[8];

	ASSERT_EQ(0, client(self->fifo, &h, sizeof(h)));
	ASSERT_EQ(0, read_all(self->rd, &h, sizeof(h), now_ms() + 10000));
	EXPECT_EQ(-EPIPE, read_all(self->rd, buf, sizeof(buf), now_ms() + 10000));
}

/* Nobody writes: read_port gives up at its deadline, not before. */
TEST_F(port, read_port_times_out)
{
	int64_t t0 = now_ms();
	char buf[8];

	EXPECT_EQ(-ETIMEDOUT, read_port(self->rd, buf, sizeof(buf), t0 + 300));
	EXPECT_LE(t0 + 300, now_ms());
}

/* One frame is one write: a record of a SEQPACKET socket holds all of it. */
TEST(frame_is_one_write)
{
	char rec[64], cmd[] = "echo fresh";
	struct agent_exec x = { .timeout_s = 5, .cmd_len = sizeof(cmd) - 1 };
	struct agent_hdr h;
	int sv[2];
	ssize_t n;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	ASSERT_EQ(0, frame_send(sv[0], AGENT_EXEC, &x, sizeof(x), cmd, x.cmd_len));
	n = recv(sv[1], rec, sizeof(rec), 0);
	EXPECT_EQ((ssize_t)(sizeof(h) + sizeof(x) + x.cmd_len), n);
	memcpy(&h, rec, sizeof(h));
	EXPECT_EQ(AGENT_EXEC, h.type);
	EXPECT_EQ(sizeof(x) + x.cmd_len, h.len);
	EXPECT_EQ(0, memcmp(rec + sizeof(h) + sizeof(x), cmd, x.cmd_len));
	close(sv[0]);
	close(sv[1]);
}

TEST_HARNESS_MAIN
