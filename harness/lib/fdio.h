/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KVMI_FDIO_H
#define KVMI_FDIO_H

#include <stddef.h>
#include <stdint.h>

/* Full write; 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);
/* write_all on a socket: a peer gone is -EPIPE, never SIGPIPE. */
int send_all(int fd, const void *buf, size_t len);
/*
 * Full read before deadline (now_ms() clock, or -1 for none):
 * 0, -EPIPE at EOF, -ETIMEDOUT, or -errno.
 */
int read_all(int fd, void *buf, size_t len, int64_t deadline);
/*
 * read_all on a virtio-serial port (DEADLINE as there): its read
 * returns 0 while no host is connected as far as the port has heard, and a
 * new client's first bytes can arrive before the port hears of the client
 * (data and control ride separate virtqueues). So 0 is "nothing yet" here,
 * not the end: 0, -ETIMEDOUT or -errno.
 */
int read_port(int fd, void *buf, size_t len, int64_t deadline);
/*
 * Send one agent frame in one write: a client killed while sending leaves
 * no header without its payload (for a frame the socket's buffer holds).
 */
int frame_send(int fd, uint32_t type, const void *a, size_t alen,
	       const void *b, size_t blen);

#endif
