/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Control channel between kvmi-vm (L1) and kvmi-agent (L2), carried by the
 * virtio-serial port "kvmi.ctl". Frames: header then len payload bytes,
 * host byte order (both ends are x86-64). One request per connection.
 *
 *   PING {payload} -> PONG {the same payload}
 *   EXEC {u32 timeout_s, u32 cmd_len, cmd, stdin bytes...}
 *        -> OUT* (stdout+stderr chunks), EXIT {i32 status}
 *   POWEROFF -> PONG, then the guest syncs and powers off
 *
 * The port is one byte stream across connections: a request whose client
 * gave up (a kernel going down under kexec, say) can reach the next kernel's
 * agent and be answered while the next client is connected. kvmi-vm exec
 * therefore first sends a PING carrying a nonce and drops every frame until
 * the PONG that echoes it. The other way, the agent reads each frame whole
 * (read_port: a new client's bytes can come in before the port hears of
 * the client) and each frame is sent in one write (frame_send).
 */
#ifndef KVMI_AGENT_PROTO_H
#define KVMI_AGENT_PROTO_H

#include <stdint.h>

#define AGENT_PORT_NAME "kvmi.ctl"
#define AGENT_MAX_FRAME (1u << 20)

enum agent_type {
	AGENT_PING = 1,
	AGENT_PONG,
	AGENT_EXEC,
	AGENT_OUT,
	AGENT_EXIT,
	AGENT_POWEROFF,
};

struct agent_hdr {
	uint32_t type;
	uint32_t len;
};

struct agent_exec {
	uint32_t timeout_s;	/* 0: none */
	uint32_t cmd_len;
};

/* Status for a command the agent killed at its timeout. */
#define AGENT_STATUS_TIMEOUT 124

#endif
