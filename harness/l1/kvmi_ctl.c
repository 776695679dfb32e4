// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-ctl: the host token API (/dev/kvmi) from the command line, in L1.
 *
 *   kvmi-ctl issue -t TARGET_PID -r RAM_FILE [-w WINDOW_FILE [-e]]
 *            [-i INTROSPECTOR_PID] [-T TTL_S] [-o TOKEN_FILE]
 *                                print "id N ranges M token HEX"; -o writes
 *                                the 32 raw bytes (mode 0600). -w names the
 *                                introspector's mapping window (its file,
 *                                e.g. /proc/PID/fd/N): maps go only there;
 *                                -e: they end when the target VM does
 *   kvmi-ctl revoke ID
 *   kvmi-ctl list [--json]
 *   kvmi-ctl stats [--json]
 *   kvmi-ctl stat NAME           one counter (live_maps, fail_unaligned, ...)
 *   kvmi-ctl watch [-i MS]       the counters as one JSON line every MS ms
 *                                (100), "t_ms" since the start, until
 *                                SIGINT or SIGTERM: a timeline for the report
 */
#define _GNU_SOURCE
#include <uapi/kvmi.h>
#include "cli.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static const struct cli cli;
static const char *const fail_names[KVMI_FAIL_MAX] = KVMI_FAIL_NAMES;

static const char *const state_names[] = { "live", "expired", "revoked" };

static int dev(void)
{
	int fd = open("/dev/kvmi", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror("kvmi-ctl: /dev/kvmi (is our kvm.ko loaded?)");
		exit(1);
	}
	return fd;
}

static uint64_t num(const char *s)
{
	return arg_u64("kvmi-ctl", s);
}

/* Open a file the host handler maps shared: read-write. */
static int open_rw(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "kvmi-ctl: %s: %s\n", path, strerror(errno));
	return fd;
}

static int issue(int argc, char **argv)
{
	/* One request: KVMI_TOKEN_ISSUE takes its first member alone. */
	struct kvmi_token_issue_window wreq = { .issue.ram_fd = -1, .window_fd = -1 };
	struct kvmi_token_issue *req = &wreq.issue;
	const char *window = NULL;
	const char *ram = NULL, *out = NULL;
	int c;

	while ((c = getopt(argc, argv, "t:r:w:ei:T:o:")) != -1) {
		switch (c) {
		case 'w':
			window = optarg;
			break;
		case 'e':
			wreq.flags |= KVMI_WINDOW_END_WITH_TARGET;
			break;
		case 't':
			req->target_pid = cli_u64_range("kvmi-ctl: -t", optarg, 0, INT32_MAX);
			break;
		case 'r':
			ram = optarg;
			break;
		case 'i':
			req->introspector_pid = cli_u64_range("kvmi-ctl: -i", optarg, 0,
							      INT32_MAX);
			break;
		case 'T':
			req->ttl_s = cli_u64_range("kvmi-ctl: -T", optarg, 0, UINT32_MAX);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!req->target_pid || !ram || (wreq.flags && !window))
		return 2;
	req->ram_fd = open_rw(ram);
	if (req->ram_fd < 0)
		return 1;
	if (window) {
		wreq.window_fd = open_rw(window);
		if (wreq.window_fd < 0)
			return 1;
	}
	if (window ? ioctl(dev(), KVMI_TOKEN_ISSUE_WINDOW, &wreq) :
		     ioctl(dev(), KVMI_TOKEN_ISSUE, req)) {
		fprintf(stderr, "kvmi-ctl: issue: %s\n", errno_str(errno));
		return 1;
	}
	printf("id %u ranges %u token ", req->id, req->nr_ranges);
	for (int i = 0; i < 4; i++)
		printf("%016" PRIx64, (uint64_t)req->token.token[i]);
	printf("\n");
	if (out) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd < 0 || write(fd, &req->token, sizeof(req->token)) != sizeof(req->token) ||
		    close(fd)) {
			fprintf(stderr, "kvmi-ctl: %s: %s\n", out, strerror(errno));
			return 1;
		}
	}
	return 0;
}

static int list(bool json)
{
	struct kvmi_token_info info[KVMI_MAX_TOKENS + 256];
	struct kvmi_token_list req = {
		.count = sizeof(info) / sizeof(info[0]), .info = (uintptr_t)info,
	};
	struct json_object *arr = json_object_new_array();

	if (ioctl(dev(), KVMI_TOKEN_LIST, &req)) {
		fprintf(stderr, "kvmi-ctl: list: %s\n", errno_str(errno));
		return 1;
	}
	for (uint32_t i = 0; i < req.count; i++) {
		const char *st = info[i].state < 3 ? state_names[info[i].state] : "?";
		struct json_object *o;

		if (!json) {
			printf("id %u %s target %d introspector %d ttl_left_ms %" PRIu64
			       " uses %" PRIu64 "\n", info[i].id, st, info[i].target_pid,
			       info[i].introspector_pid, (uint64_t)info[i].ttl_left_ms,
			       (uint64_t)info[i].uses);
			continue;
		}
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64(info[i].id));
		json_object_object_add(o, "state", json_object_new_string(st));
		json_object_object_add(o, "target_pid", json_object_new_int(info[i].target_pid));
		json_object_object_add(o, "introspector_pid",
				       json_object_new_int(info[i].introspector_pid));
		json_object_object_add(o, "ttl_left_ms", json_object_new_int64(info[i].ttl_left_ms));
		json_object_object_add(o, "uses", json_object_new_int64(info[i].uses));
		json_object_array_add(arr, o);
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
	json_object_put(arr);
	return 0;
}

static struct json_object *stats_json(const struct kvmi_stats *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "live_tokens", json_object_new_int64(s->live_tokens));
	json_object_object_add(o, "live_maps", json_object_new_int64(s->live_maps));
	json_object_object_add(o, "total_maps", json_object_new_int64(s->total_maps));
	json_object_object_add(o, "total_unmaps", json_object_new_int64(s->total_unmaps));
	json_object_object_add(o, "retained", json_object_new_int64(s->retained));
	for (int i = 0; i < KVMI_FAIL_MAX; i++) {
		char *k = xasprintf("fail_%s", fail_names[i]);

		json_object_object_add(o, k, json_object_new_int64(s->fail[i]));
		free(k);
	}
	return o;
}

static int stats(bool json, const char *one)
{
	struct kvmi_stats s;
	struct json_object *o, *v;
	int ret = 0;

	if (ioctl(dev(), KVMI_GET_STATS, &s)) {
		fprintf(stderr, "kvmi-ctl: stats: %s\n", errno_str(errno));
		return 1;
	}
	o = stats_json(&s);
	if (one) {
		if (json_object_object_get_ex(o, one, &v)) {
			printf("%s\n", json_object_get_string(v));
		} else {
			fprintf(stderr, "kvmi-ctl: no counter %s\n", one);
			ret = 2;
		}
	} else if (json) {
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	} else {
		json_object_object_foreach(o, k, val)
			printf("%s %s\n", k, json_object_get_string(val));
	}
	json_object_put(o);
	return ret;
}

static volatile sig_atomic_t watch_stop;

static void on_stop(int sig)
{
	(void)sig;
	watch_stop = 1;
}

/* One sample: the counters with t_ms; false once the ioctl fails. */
static bool watch_sample(int fd, int64_t t0)
{
	struct kvmi_stats s;
	struct json_object *o;

	if (ioctl(fd, KVMI_GET_STATS, &s)) {
		fprintf(stderr, "kvmi-ctl: watch: %s\n", errno_str(errno));
		return false;
	}
	o = stats_json(&s);
	json_object_object_add(o, "t_ms", json_object_new_int64(now_ms() - t0));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(o);
	return true;
}

static int cmd_watch(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };	/* no SA_RESTART */
	uint64_t ms = 100;
	int64_t t0;
	int fd, c;

	optind = 1;
	while ((c = getopt(argc, argv, "i:")) != -1) {
		if (c != 'i')
			return cli_cmd_usage(&cli, "watch");
		ms = arg_u64("kvmi-ctl watch -i", optarg);
	}
	if (optind != argc || !ms || ms > 3600000)
		return cli_cmd_usage(&cli, "watch");
	fd = dev();
	t0 = now_ms();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!watch_stop) {
		struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

		if (!watch_sample(fd, t0))
			return 1;
		nanosleep(&ts, NULL);	/* a signal ends it early */
	}
	return watch_sample(fd, t0) ? 0 : 1;	/* the state at the stop */
}

static int cmd_issue(int argc, char **argv)
{
	int ret = issue(argc, argv);

	return ret == 2 ? cli_cmd_usage(&cli, "issue") : ret;
}

static int cmd_revoke(int argc, char **argv)
{
	uint32_t id = num(argv[1]);

	(void)argc;
	if (ioctl(dev(), KVMI_TOKEN_REVOKE, &id)) {
		fprintf(stderr, "kvmi-ctl: revoke %u: %s\n", id, errno_str(errno));
		return 1;
	}
	return 0;
}

/* "--json" as the only option, or a usage error. */
static int json_opt(const char *cmd, int argc, char **argv, bool *json)
{
	*json = argc == 2;
	if (argc == 2 && strcmp(argv[1], "--json"))
		return cli_cmd_usage(&cli, cmd);
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	bool json;

	return json_opt("list", argc, argv, &json) ?: list(json);
}

static int cmd_stats(int argc, char **argv)
{
	bool json;

	return json_opt("stats", argc, argv, &json) ?: stats(json, NULL);
}

static int cmd_stat(int argc, char **argv)
{
	(void)argc;
	return stats(false, argv[1]);
}

static const struct cli_cmd cmds[] = {
	{ "issue", "-t TARGET_PID -r RAM_FILE [-w WINDOW_FILE [-e]] [-i INTROSPECTOR_PID] [-T TTL_S] [-o FILE]",
	  "issue a token for the target, mapping only into the introspector's window -w (-e: its maps end when the target VM does); prints \"id N ranges M token HEX\", -o writes the 32 raw bytes",
	  cmd_issue, 0, -1 },
	{ "revoke", "ID", "revoke a token: no new maps with it", cmd_revoke, 1, 1 },
	{ "list", "[--json]", "tokens: id, state, pids, TTL left, uses", cmd_list, 0, 1 },
	{ "stats", "[--json]", "the host handler's counters", cmd_stats, 0, 1 },
	{ "stat", "NAME", "one counter (live_maps, retained, fail_unaligned, ...)",
	  cmd_stat, 1, 1 },
	{ "watch", "[-i MS]", "the counters as a JSON line every MS ms (100), until SIGINT/SIGTERM",
	  cmd_watch, 0, 2 },
	{ NULL }
};

static const struct cli cli = {
	.prog = "kvmi-ctl",
	.summary = "the host token API (/dev/kvmi), in L1",
	.footer = "Also: cat /sys/kernel/debug/kvmi/stats\n",
	.cmds = cmds,
};

int main(int argc, char **argv)
{
	return cli_dispatch(&cli, argc - 1, argv + 1);
}
