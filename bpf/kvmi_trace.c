// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-trace: BPF tracers for KVM's hypercall, GUP-pin, pfn-refcount and
 * MMU-notifier paths, in the conventions of bcc's libbpf-tools. This file
 * is the command line and the main loop; each mode is X.c beside X.bpf.c.
 *
 *   kvmi-trace hc   [-k] ...   hypercall count + latency per nr
 *   kvmi-trace pin  ...        pin_user_pages* vs unpin_user_page*, per pfn
 *   kvmi-trace pfn  ...        KVM pfn references: hva_to_pfn vs release
 *   kvmi-trace zap  ...        MMU-notifier zaps per VM
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "hist.h"
#include "kt_mode.h"
#include "cli.h"
#include "util.h"

static const struct kt_mode *const modes[] = {
	&kt_mode_hc, &kt_mode_pin, &kt_mode_pfn, &kt_mode_zap,
};

struct kt_env env = { .unit_div = 1, .unit = "nsecs" };
static const struct kt_mode *mode;
static volatile sig_atomic_t exiting, report_now;

static const char usage[] =
"usage: kvmi-trace MODE [-p PID] [-i INTERVAL] [-d DURATION] [-T] [-u|-m]\n"
"                  [--cumulative] [--json] [-o FILE] [--pin DIR] [-k] [-v]\n"
"\n"
"MODE:\n"
"  hc    hypercall count and latency (ns) per hypercall nr, in\n"
"        kvm_emulate_hypercall (fentry/fexit; -k: kprobe/kretprobe); and\n"
"        the host handler's phases: map, map.token, map.mm, unmap,\n"
"        unmap.mm, with map/unmap calls per return value\n"
"  pin   GUP pins (pin_user_pages*) vs unpins (unpin_user_page*) per pfn;\n"
"        every pfn left pinned, with the stack that pinned it\n"
"  pfn   KVM pfn references (hva_to_pfn) vs releases (kvm_release_*):\n"
"        obtained-never-released and released-never-obtained pfns\n"
"  zap   MMU-notifier zaps (kvm_unmap_gfn_range) per VM\n"
"\n"
"  -p, --pid PID          trace only this process (tgid); for zap, the VM's\n"
"                         userspace pid\n"
"  -i, --interval SEC     print every SEC seconds; each interval's counts\n"
"                         and histograms start from zero (hc, zap)\n"
"      --cumulative       with -i: counts since start, never cleared\n"
"  -d, --duration SEC     stop after SEC seconds (default: until Ctrl-C)\n"
"  -T, --timestamp        print the time before each report\n"
"  -u, --microseconds     hc: latencies in usecs (default nsecs)\n"
"  -m, --milliseconds     hc: latencies in msecs\n"
"  -j, --json             JSON output, one document per report\n"
"  -o, --json-file FILE   the text on stdout, and each report's JSON\n"
"                         document appended to FILE (for plots)\n"
"      --pin DIR          pin maps and links under DIR (bpffs); they stay\n"
"                         attached and readable with bpftool after exit\n"
"  -k, --kprobe           hc: kprobe/kretprobe instead of fentry/fexit\n"
"  -v, --verbose          libbpf debug output\n"
"  -h, --help             this help;  -V, --version  the version\n"
"\n"
"Without -i, one report at the end: counts since start. pin and pfn are\n"
"balances, always since start. SIGUSR1 prints a report at once, as an\n"
"interval does (hc and zap counts start from zero after it unless\n"
"--cumulative). Ready (attached) when \"Tracing\" is printed on stderr.\n";

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "interval", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "json-file", required_argument, NULL, 'o' },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "microseconds", no_argument, NULL, 'u' },
	{ "milliseconds", no_argument, NULL, 'm' },
	{ "cumulative", no_argument, NULL, 'C' },
	{ "version", no_argument, NULL, 'V' },
	{ "pin", required_argument, NULL, 'P' },
	{ "kprobe", no_argument, NULL, 'k' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A whole positive number of at most INT_MAX, or -1. */
static int parse_pos(const char *s, unsigned int *v)
{
	uint64_t x;

	if (parse_u64(s, &x) || !x || x > INT_MAX)
		return -1;
	*v = (unsigned int)x;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	unsigned int v;
	size_t i;
	int c;

	if (argc < 2)
		return -1;
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		exit(0);
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
		exit(cli_version("kvmi-trace"));
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(argv[1], modes[i]->name))
			mode = modes[i];
	if (!mode) {
		fprintf(stderr, "kvmi-trace: unknown mode '%s'\n", argv[1]);
		return -1;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "p:i:d:jo:TumkvhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_pos(optarg, &v))
				return -1;
			env.pid = (pid_t)v;
			break;
		case 'i':
			if (parse_pos(optarg, &env.interval))
				return -1;
			break;
		case 'd':
			if (parse_pos(optarg, &env.duration))
				return -1;
			break;
		case 'j':
			env.json = true;
			break;
		case 'o':
			env.json_file = fopen(optarg, "a");
			if (!env.json_file) {
				fprintf(stderr, "kvmi-trace: %s: %s\n", optarg,
					strerror(errno));
				return -1;
			}
			break;
		case 'P':
			env.pin_dir = optarg;
			break;
		case 'k':
			env.kprobe = true;
			break;
		case 'T':
			env.timestamp = true;
			break;
		case 'u':
			env.unit_div = 1000;
			env.unit = "usecs";
			break;
		case 'm':
			env.unit_div = 1000000;
			env.unit = "msecs";
			break;
		case 'C':
			env.cumulative = true;
			break;
		case 'v':
			env.verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		case 'V':
			exit(cli_version("kvmi-trace"));
		default:
			return -1;
		}
	}
	if (optind != argc)
		return -1;
	if (env.cumulative && !env.interval) {
		fprintf(stderr, "kvmi-trace: --cumulative goes with -i\n");
		return -1;
	}
	if (env.kprobe && mode != &kt_mode_hc) {
		fprintf(stderr, "kvmi-trace: -k applies to hc only\n");
		return -1;
	}
	return 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (level == LIBBPF_DEBUG && !env.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		report_now = 1;
	else
		exiting = 1;
}

static bool is_internal_map(const struct bpf_map *m)
{
	return strchr(bpf_map__name(m), '.') != NULL;	/* .rodata, .bss */
}

/*
 * DIR/<map name>, and DIR/link_<prog name> for each link the skeleton's
 * attach made; the links then survive our exit.
 */
static int pin_all(const struct bpf_object_skeleton *sk)
{
	struct bpf_map *m;
	char path[PATH_MAX];
	int i;

	if (mkdir(env.pin_dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "kvmi-trace: mkdir %s: %s\n", env.pin_dir,
			strerror(errno));
		return -1;
	}
	bpf_object__for_each_map(m, *sk->obj) {
		if (is_internal_map(m))
			continue;
		snprintf(path, sizeof(path), "%s/%s", env.pin_dir,
			 bpf_map__name(m));
		if (bpf_map__pin(m, path)) {
			fprintf(stderr, "kvmi-trace: pin %s: %s%s\n", path,
				strerror(errno), errno == EEXIST ?
				" (remove the old pins first: rm -r DIR)" : "");
			return -1;
		}
	}
	for (i = 0; i < sk->prog_cnt; i++) {
		struct bpf_link *l = *sk->progs[i].link;

		if (!l)
			continue;
		snprintf(path, sizeof(path), "%s/link_%s", env.pin_dir,
			 sk->progs[i].name);
		if (bpf_link__pin(l, path)) {
			fprintf(stderr, "kvmi-trace: pin %s: %s\n", path,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* With --pin the pins keep the links: let go of them without detaching. */
static void disconnect_pinned(const struct bpf_object_skeleton *sk)
{
	int i;

	for (i = 0; sk && env.pin_dir && i < sk->prog_cnt; i++)
		if (*sk->progs[i].link)
			bpf_link__disconnect(*sk->progs[i].link);
}

static void report(struct bpf_object *obj, double elapsed, bool final)
{
	json_object *o;

	if (!env.json && env.interval)
		putchar('\n');
	if (!env.json && env.timestamp) {
		time_t t = time(NULL);
		char buf[32];

		strftime(buf, sizeof(buf), "%H:%M:%S", localtime(&t));
		printf("%-8s\n", buf);
	}
	o = mode->report(obj);
	if (env.json || env.json_file) {
		json_object *top = json_object_new_object();
		struct json_object_iter it;
		char *s;

		json_object_object_add(top, "mode", json_object_new_string(mode->name));
		json_object_object_add(top, "final", json_object_new_boolean(final));
		json_object_object_add(top, "elapsed_s", json_object_new_double(elapsed));
		json_object_object_add(top, "unit", json_object_new_string(env.unit));
		json_object_object_add(top, "cumulative",
				       json_object_new_boolean(!env.interval || env.cumulative ||
							       !mode->clear));
		json_object_object_add(top, "pid", json_object_new_int(env.pid));
		json_object_object_foreachC(o, it)
			json_object_object_add(top, it.key, json_object_get(it.val));
		s = kt_json_string(top);
		if (env.json)
			printf("%s\n", s);
		if (env.json_file) {
			fprintf(env.json_file, "%s\n", s);
			fflush(env.json_file);
		}
		free(s);
		json_object_put(top);
	}
	json_object_put(o);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct bpf_object_skeleton *sk = NULL;
	int64_t start, next;
	int err = 1;

	if (parse_args(argc, argv)) {
		fputs(usage, stderr);
		return 2;
	}
	libbpf_set_print(libbpf_print);
	sk = mode->open_load();
	if (!sk) {
		fprintf(stderr, "kvmi-trace: loading the %s BPF programs failed\n",
			mode->name);
		goto out;
	}
	if (bpf_object__attach_skeleton(sk)) {
		fprintf(stderr, "kvmi-trace: attaching the %s BPF programs: %s\n",
			mode->name, strerror(errno));
		goto out;
	}
	if (env.pin_dir && pin_all(sk))
		goto out;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	fprintf(stderr, "Tracing %s (%s)%s... Hit Ctrl-C to end.\n", mode->name,
		mode->attach_kind(), env.pin_dir ? ", pinned" : "");
	start = now_ms();
	next = start + env.interval * 1000LL;
	while (!exiting) {
		int64_t t = now_ms();
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		bool now = report_now;

		if (env.duration && t - start >= env.duration * 1000LL)
			break;
		if (now)
			report_now = 0;	/* before the report: none is lost */
		if ((env.interval && t >= next) || now) {
			report(*sk->obj, (t - start) / 1000.0, false);
			if (!env.cumulative && mode->clear)
				mode->clear(*sk->obj);
			if (!now)
				next += env.interval * 1000LL;
		}
		nanosleep(&ts, NULL);
	}
	report(*sk->obj, (now_ms() - start) / 1000.0, true);
	err = 0;
out:
	disconnect_pinned(sk);
	if (sk)
		mode->destroy();
	kt_report_free();
	return err;
}
