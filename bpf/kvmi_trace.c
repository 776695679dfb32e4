// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-trace: BPF tracers for KVM's hypercall, GUP-pin, pfn-refcount and
 * MMU-notifier paths, in the conventions of bcc's libbpf-tools.
 *
 *   kvmi-trace hc   [-k] ...   hypercall count + latency per nr
 *   kvmi-trace pin  ...        pin_user_pages* vs unpin_user_page*, per pfn
 *   kvmi-trace pfn  ...        KVM pfn references: hva_to_pfn vs release
 *   kvmi-trace zap  ...        MMU-notifier zaps per VM
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "hist.h"
#include "ksyms.h"
#include "hc.skel.h"
#include "pin.skel.h"
#include "pfn.skel.h"
#include "zap.skel.h"

enum mode { M_HC, M_PIN, M_PFN, M_ZAP };
static const char *const mode_names[] = { "hc", "pin", "pfn", "zap" };

static struct env {
	enum mode mode;
	pid_t pid;
	unsigned int interval;		/* seconds, 0: print at the end only */
	unsigned int duration;		/* seconds, 0: until SIGINT/SIGTERM */
	bool kprobe;
	bool json;
	bool verbose;
	const char *pin_dir;
} env;

static volatile sig_atomic_t exiting;

static const char usage[] =
"usage: kvmi-trace MODE [-p PID] [-i INTERVAL] [-d DURATION] [--json]\n"
"                  [--pin DIR] [-k] [-v] [-h]\n"
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
"  -i, --interval SEC     print every SEC seconds (totals are cumulative)\n"
"  -d, --duration SEC     stop after SEC seconds (default: until Ctrl-C)\n"
"  -j, --json             JSON output, one document per report\n"
"      --pin DIR          pin maps and links under DIR (bpffs); they stay\n"
"                         attached and readable with bpftool after exit\n"
"  -k, --kprobe           hc: kprobe/kretprobe instead of fentry/fexit\n"
"  -v, --verbose          libbpf debug output\n"
"  -h, --help             this help\n"
"\n"
"Counts are since start. Ready (attached) when \"Tracing\" is printed on\n"
"stderr.\n";

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "interval", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "pin", required_argument, NULL, 'P' },
	{ "kprobe", no_argument, NULL, 'k' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_uint(const char *s, unsigned int *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || end == s || *end || x > INT_MAX)
		return -1;
	*v = (unsigned int)x;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	unsigned int v;
	int c, i;

	if (argc < 2)
		return -1;
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		exit(0);
	}
	for (i = 0; i < 4; i++)
		if (!strcmp(argv[1], mode_names[i]))
			break;
	if (i == 4) {
		fprintf(stderr, "kvmi-trace: unknown mode '%s'\n", argv[1]);
		return -1;
	}
	env.mode = i;
	optind = 2;
	while ((c = getopt_long(argc, argv, "p:i:d:jkvh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_uint(optarg, &v) || !v)
				return -1;
			env.pid = (pid_t)v;
			break;
		case 'i':
			if (parse_uint(optarg, &env.interval) || !env.interval)
				return -1;
			break;
		case 'd':
			if (parse_uint(optarg, &env.duration) || !env.duration)
				return -1;
			break;
		case 'j':
			env.json = true;
			break;
		case 'P':
			env.pin_dir = optarg;
			break;
		case 'k':
			env.kprobe = true;
			break;
		case 'v':
			env.verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind != argc)
		return -1;
	if (env.kprobe && env.mode != M_HC) {
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
	(void)sig;
	exiting = 1;
}

/* ---- loading: one skeleton per mode ---- */

static void *skel;
static struct bpf_object *obj;

/* Host handler phases: where each is timed (enum kt_phase order). */
static const struct {
	const char *name, *fn, *module;
} phases[KT_PH_NR] = {
	[KT_PH_MAP] = { "map", "kvmi_hc_mem_map", "kvm" },
	[KT_PH_MAP_TOKEN] = { "map.token", "kvmi_token_use", "kvm" },
	[KT_PH_MAP_MM] = { "map.mm", "vm_mmap", NULL },
	[KT_PH_UNMAP] = { "unmap", "kvmi_hc_mem_unmap", "kvm" },
	[KT_PH_UNMAP_MM] = { "unmap.mm", "vm_mmap", NULL },
};
static bool phase_on[KT_PH_NR];

/* Does fn have BTF in vmlinux (module NULL) or in module? */
static bool have_func(const char *module, const char *fn)
{
	static struct btf *vml, *mod;
	struct btf *b;

	if (!vml)
		vml = btf__load_vmlinux_btf();
	if (!vml)
		return false;
	if (module && !mod)
		mod = btf__load_module_btf(module, vml);
	b = module ? mod : vml;
	return b && btf__find_by_name_kind(b, fn, BTF_KIND_FUNC) > 0;
}

static void hc_autoload(struct hc_bpf *s)
{
	bool fe = !env.kprobe, kp = env.kprobe;
	bool map = have_func("kvm", phases[KT_PH_MAP].fn);
	bool unmap = have_func("kvm", phases[KT_PH_UNMAP].fn);
	bool token = map && have_func("kvm", phases[KT_PH_MAP_TOKEN].fn);
	bool mm = (map || unmap) && have_func(NULL, "vm_mmap");

	bpf_program__set_autoload(s->progs.hc_fentry, fe);
	bpf_program__set_autoload(s->progs.hc_fexit, fe);
	bpf_program__set_autoload(s->progs.hc_kprobe, kp);
	bpf_program__set_autoload(s->progs.hc_kretprobe, kp);
	bpf_program__set_autoload(s->progs.map_fentry, fe && map);
	bpf_program__set_autoload(s->progs.map_fexit, fe && map);
	bpf_program__set_autoload(s->progs.map_kprobe, kp && map);
	bpf_program__set_autoload(s->progs.map_kretprobe, kp && map);
	bpf_program__set_autoload(s->progs.unmap_fentry, fe && unmap);
	bpf_program__set_autoload(s->progs.unmap_fexit, fe && unmap);
	bpf_program__set_autoload(s->progs.unmap_kprobe, kp && unmap);
	bpf_program__set_autoload(s->progs.unmap_kretprobe, kp && unmap);
	bpf_program__set_autoload(s->progs.token_fentry, fe && token);
	bpf_program__set_autoload(s->progs.token_fexit, fe && token);
	bpf_program__set_autoload(s->progs.token_kprobe, kp && token);
	bpf_program__set_autoload(s->progs.token_kretprobe, kp && token);
	bpf_program__set_autoload(s->progs.mm_fentry, fe && mm);
	bpf_program__set_autoload(s->progs.mm_fexit, fe && mm);
	bpf_program__set_autoload(s->progs.mm_kprobe, kp && mm);
	bpf_program__set_autoload(s->progs.mm_kretprobe, kp && mm);
	phase_on[KT_PH_MAP] = map;
	phase_on[KT_PH_MAP_TOKEN] = token;
	phase_on[KT_PH_MAP_MM] = map && mm;
	phase_on[KT_PH_UNMAP] = unmap;
	phase_on[KT_PH_UNMAP_MM] = unmap && mm;
}

/* Empty histograms start with min = ~0, as kt_hist_add() expects. */
static int hc_init_phases(struct hc_bpf *s)
{
	int fd = bpf_map__fd(s->maps.phase_hist);
	struct kt_hist h;
	uint32_t i;

	kt_hist_init(&h);
	for (i = 0; i < KT_PH_NR; i++)
		if (bpf_map_update_elem(fd, &i, &h, BPF_ANY))
			return -1;
	return 0;
}

static struct bpf_object *open_load(void)
{
	int err;

	switch (env.mode) {
	case M_HC: {
		struct hc_bpf *s = hc_bpf__open();

		if (!s)
			return NULL;
		skel = s;
		s->rodata->targ_tgid = env.pid;
		hc_autoload(s);
		err = hc_bpf__load(s) || hc_init_phases(s);
		return err ? NULL : s->obj;
	}
	case M_PIN: {
		struct pin_bpf *s = pin_bpf__open();

		if (!s)
			return NULL;
		skel = s;
		s->rodata->targ_tgid = env.pid;
		err = pin_bpf__load(s);
		return err ? NULL : s->obj;
	}
	case M_PFN: {
		struct pfn_bpf *s = pfn_bpf__open();

		if (!s)
			return NULL;
		skel = s;
		s->rodata->targ_tgid = env.pid;
		err = pfn_bpf__load(s);
		return err ? NULL : s->obj;
	}
	case M_ZAP: {
		struct zap_bpf *s = zap_bpf__open();

		if (!s)
			return NULL;
		skel = s;
		s->rodata->targ_tgid = env.pid;
		err = zap_bpf__load(s);
		return err ? NULL : s->obj;
	}
	}
	return NULL;
}

static void destroy_skel(void)
{
	if (!skel)
		return;
	switch (env.mode) {
	case M_HC:
		hc_bpf__destroy(skel);
		break;
	case M_PIN:
		pin_bpf__destroy(skel);
		break;
	case M_PFN:
		pfn_bpf__destroy(skel);
		break;
	case M_ZAP:
		zap_bpf__destroy(skel);
		break;
	}
	skel = NULL;
}

#define MAX_LINKS 16
static struct bpf_link *links[MAX_LINKS];
static int nr_links;

static int attach_all(void)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *l;

		if (!bpf_program__autoload(prog))
			continue;
		l = bpf_program__attach(prog);
		if (!l) {
			fprintf(stderr, "kvmi-trace: attaching %s: %s\n",
				bpf_program__name(prog), strerror(errno));
			return -1;
		}
		if (nr_links == MAX_LINKS) {
			bpf_link__destroy(l);
			return -1;
		}
		links[nr_links++] = l;
	}
	return 0;
}

static bool is_internal_map(const struct bpf_map *m)
{
	return strchr(bpf_map__name(m), '.') != NULL;	/* .rodata, .bss */
}

/* DIR/<map name> and DIR/link_<prog name>; links then survive our exit. */
static int pin_all(void)
{
	struct bpf_map *m;
	char path[PATH_MAX];
	int i;

	if (mkdir(env.pin_dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "kvmi-trace: mkdir %s: %s\n", env.pin_dir,
			strerror(errno));
		return -1;
	}
	bpf_object__for_each_map(m, obj) {
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
	for (i = 0; i < nr_links; i++) {
		const struct bpf_program *p = NULL;
		struct bpf_program *prog;
		int n = 0;

		bpf_object__for_each_program(prog, obj) {
			if (!bpf_program__autoload(prog))
				continue;
			if (n++ == i)
				p = prog;
		}
		snprintf(path, sizeof(path), "%s/link_%s", env.pin_dir,
			 p ? bpf_program__name(p) : "unknown");
		if (bpf_link__pin(links[i], path)) {
			fprintf(stderr, "kvmi-trace: pin %s: %s\n", path,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void detach_all(void)
{
	int i;

	for (i = 0; i < nr_links; i++) {
		if (env.pin_dir)
			bpf_link__disconnect(links[i]);	/* the pin keeps it */
		bpf_link__destroy(links[i]);
	}
	nr_links = 0;
}

/* ---- reports ---- */

static struct ksyms ksyms;
static bool ksyms_loaded;

static int map_fd(const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -1;
}

static json_object *stack_json(int stacks_fd, int32_t id)
{
	json_object *a = json_object_new_array();
	uint64_t ips[KT_STACK_DEPTH] = { 0 };
	char buf[256];
	int i;

	if (id < 0 || bpf_map_lookup_elem(stacks_fd, &id, ips))
		return a;
	if (!ksyms_loaded)
		ksyms_loaded = !ksyms_load(&ksyms, "/proc/kallsyms");
	for (i = 0; i < KT_STACK_DEPTH && ips[i]; i++)
		json_object_array_add(a, json_object_new_string(
			ksyms_format(&ksyms, ips[i], buf, sizeof(buf))));
	return a;
}

static void print_stack_text(json_object *stack)
{
	size_t i, n = json_object_array_length(stack);

	if (!n)
		printf("        (stack unavailable)\n");
	for (i = 0; i < n; i++)
		printf("        %s\n", json_object_get_string(
			json_object_array_get_idx(stack, i)));
}

static uint64_t counter(int fd, uint32_t idx)
{
	uint64_t v = 0;

	bpf_map_lookup_elem(fd, &idx, &v);
	return v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* All keys of a hash map with 8-byte keys, sorted. */
static uint64_t *map_keys(int fd, size_t *n)
{
	uint64_t key, next, *keys = NULL, *k;
	size_t cap = 0;
	void *prev = NULL;

	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			k = realloc(keys, cap * sizeof(*keys));
			if (!k)
				break;
			keys = k;
		}
		keys[(*n)++] = next;
		key = next;
		prev = &key;
	}
	if (*n)
		qsort(keys, *n, sizeof(*keys), cmp_u64);
	return keys;
}

static void add_u64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

/*
 * "phases": [{phase, fn, count, ..., hist_total, buckets}] for the phases
 * whose functions exist; "results": [{phase, ret, count}] for map/unmap.
 */
static void report_phases(json_object *o)
{
	json_object *a = json_object_new_array(), *r = json_object_new_array();
	int fd = map_fd("phase_hist"), rfd = map_fd("phase_ret");
	struct kt_phase_ret key, next, *prev = NULL;
	uint32_t i;

	for (i = 0; i < KT_PH_NR; i++) {
		struct kt_hist h;
		json_object *e;

		if (!phase_on[i] || bpf_map_lookup_elem(fd, &i, &h))
			continue;
		e = kt_hist_json(&h);
		json_object_object_add(e, "phase",
				       json_object_new_string(phases[i].name));
		json_object_object_add(e, "fn", json_object_new_string(phases[i].fn));
		add_u64(e, "hist_total", kt_hist_total(&h));
		json_object_array_add(a, e);
		if (!env.json && h.count) {
			printf("phase %s (%s):\n", phases[i].name, phases[i].fn);
			kt_hist_print(stdout, &h, "nsecs");
		}
	}
	while (!bpf_map_get_next_key(rfd, prev, &next)) {
		uint64_t c;
		json_object *e;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(rfd, &key, &c) || key.phase >= KT_PH_NR)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "phase",
				       json_object_new_string(phases[key.phase].name));
		json_object_object_add(e, "ret", json_object_new_int(key.ret));
		add_u64(e, "count", c);
		json_object_array_add(r, e);
		if (!env.json)
			printf("%s returned %d: %" PRIu64 " time(s)\n",
			       phases[key.phase].name, key.ret, c);
	}
	json_object_object_add(o, "phases", a);
	json_object_object_add(o, "results", r);
}

static json_object *report_hc(void)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	int fd = map_fd("hc_hist");
	size_t n, i;
	uint64_t *keys = map_keys(fd, &n);

	json_object_object_add(o, "attach",
		json_object_new_string(env.kprobe ? "kprobe" : "fentry"));
	for (i = 0; i < n; i++) {
		struct kt_hist h;
		json_object *e;

		if (bpf_map_lookup_elem(fd, &keys[i], &h))
			continue;
		e = kt_hist_json(&h);
		add_u64(e, "nr", keys[i]);
		add_u64(e, "hist_total", kt_hist_total(&h));
		json_object_array_add(a, e);
		if (!env.json) {
			printf("hypercall nr %" PRIu64 ":\n", keys[i]);
			kt_hist_print(stdout, &h, "nsecs");
		}
	}
	if (!env.json && !n)
		printf("no hypercalls\n");
	free(keys);
	json_object_object_add(o, "hypercalls", a);
	report_phases(o);
	return o;
}

static json_object *report_refs(const char *what_taken, const char *what_dropped)
{
	json_object *o = json_object_new_object();
	json_object *un = json_object_new_array(), *orph = json_object_new_array();
	int refs_fd = map_fd("refs"), orph_fd = map_fd("orphans");
	int cnt_fd = map_fd("counters"), stacks_fd = map_fd("stacks");
	uint64_t *keys;
	size_t n, i, nun = 0;

	add_u64(o, "taken", counter(cnt_fd, KT_C_TAKEN));
	add_u64(o, "dropped", counter(cnt_fd, KT_C_DROPPED));
	add_u64(o, "orphan_drops", counter(cnt_fd, KT_C_ORPHAN));
	add_u64(o, "truncated_calls", counter(cnt_fd, KT_C_TRUNC));
	add_u64(o, "map_full", counter(cnt_fd, KT_C_MAPFULL));
	if (env.mode == M_PFN)
		add_u64(o, "unreferenced_pfns", counter(cnt_fd, KT_C_UNTRACKED));
	if (!env.json)
		printf("%s %" PRIu64 ", %s %" PRIu64 ", dropped without a take %" PRIu64
		       "%s\n", what_taken, counter(cnt_fd, KT_C_TAKEN),
		       what_dropped, counter(cnt_fd, KT_C_DROPPED),
		       counter(cnt_fd, KT_C_ORPHAN),
		       counter(cnt_fd, KT_C_MAPFULL) ? " (MAP FULL: counts incomplete)" : "");

	keys = map_keys(refs_fd, &n);
	for (i = 0; i < n; i++) {
		struct kt_ref r;
		json_object *e;

		if (bpf_map_lookup_elem(refs_fd, &keys[i], &r) || r.refs <= 0)
			continue;
		nun++;
		e = json_object_new_object();
		add_u64(e, "pfn", keys[i]);
		json_object_object_add(e, "refs", json_object_new_int64(r.refs));
		add_u64(e, "taken", r.taken);
		add_u64(e, "dropped", r.dropped);
		json_object_object_add(e, "pid", json_object_new_int(r.pid));
		r.comm[KT_COMM_LEN - 1] = 0;
		json_object_object_add(e, "comm", json_object_new_string(r.comm));
		json_object_object_add(e, "stack", stack_json(stacks_fd, r.stackid));
		if (!env.json) {
			printf("  unbalanced pfn 0x%" PRIx64 ": %lld outstanding (%"
			       PRIu64 " taken, %" PRIu64 " dropped), last by pid %u (%s):\n",
			       keys[i], (long long)r.refs, (uint64_t)r.taken, (uint64_t)r.dropped,
			       r.pid, r.comm);
			print_stack_text(json_object_object_get(e, "stack"));
		}
		json_object_array_add(un, e);
	}
	free(keys);
	keys = map_keys(orph_fd, &n);
	for (i = 0; i < n; i++) {
		struct kt_orphan r;
		json_object *e;

		if (bpf_map_lookup_elem(orph_fd, &keys[i], &r))
			continue;
		e = json_object_new_object();
		add_u64(e, "pfn", keys[i]);
		add_u64(e, "count", r.count);
		json_object_object_add(e, "pid", json_object_new_int(r.pid));
		r.comm[KT_COMM_LEN - 1] = 0;
		json_object_object_add(e, "comm", json_object_new_string(r.comm));
		json_object_object_add(e, "stack", stack_json(stacks_fd, r.stackid));
		if (!env.json) {
			printf("  pfn 0x%" PRIx64 " dropped %" PRIu64
			       " time(s) without a take, last by pid %u (%s):\n",
			       keys[i], (uint64_t)r.count, r.pid, r.comm);
			print_stack_text(json_object_object_get(e, "stack"));
		}
		json_object_array_add(orph, e);
	}
	free(keys);
	if (!env.json)
		printf("%zu pfn(s) unbalanced, %zu pfn(s) dropped without a take\n",
		       nun, n);
	add_u64(o, "unbalanced_pfns", nun);
	json_object_object_add(o, "unbalanced", un);
	json_object_object_add(o, "orphans", orph);
	return o;
}

static json_object *report_zap(void)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	int fd = map_fd("zaps"), ev_fd = map_fd("hva_events");
	uint32_t zero = 0;
	uint64_t ev = 0, *keys;
	size_t n, i;

	bpf_map_lookup_elem(ev_fd, &zero, &ev);
	add_u64(o, "unmap_hva_range_events", ev);
	if (!env.json)
		printf("kvm:kvm_unmap_hva_range events: %" PRIu64 "\n", ev);
	keys = map_keys(fd, &n);
	for (i = 0; i < n; i++) {
		struct kt_zap z;
		json_object *e;
		char buf[32];

		if (bpf_map_lookup_elem(fd, &keys[i], &z))
			continue;
		e = json_object_new_object();
		snprintf(buf, sizeof(buf), "0x%" PRIx64, keys[i]);
		json_object_object_add(e, "kvm", json_object_new_string(buf));
		json_object_object_add(e, "pid", json_object_new_int(z.pid));
		add_u64(e, "ranges", z.hva_ranges);
		add_u64(e, "gfns", z.gfns);
		add_u64(e, "flushes", z.flushes);
		json_object_array_add(a, e);
		if (!env.json)
			printf("  VM %s (pid %u): %" PRIu64 " gfn ranges, %" PRIu64
			       " gfns, %" PRIu64 " with SPTEs zapped\n", buf, z.pid,
			       (uint64_t)z.hva_ranges, (uint64_t)z.gfns,
			       (uint64_t)z.flushes);
	}
	free(keys);
	json_object_object_add(o, "vms", a);
	return o;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(double elapsed, bool final)
{
	json_object *o = NULL;

	if (!env.json) {
		time_t t = time(NULL);
		char buf[32];

		strftime(buf, sizeof(buf), "%H:%M:%S", localtime(&t));
		printf("%s%s\n", final ? "" : "\n", buf);
	}
	switch (env.mode) {
	case M_HC:
		o = report_hc();
		break;
	case M_PIN:
		o = report_refs("pinned", "unpinned");
		break;
	case M_PFN:
		o = report_refs("obtained", "released");
		break;
	case M_ZAP:
		o = report_zap();
		break;
	}
	if (env.json) {
		json_object *top = json_object_new_object();
		char *s;

		json_object_object_add(top, "mode",
			json_object_new_string(mode_names[env.mode]));
		json_object_object_add(top, "final", json_object_new_boolean(final));
		json_object_object_add(top, "elapsed_s", json_object_new_double(elapsed));
		json_object_object_add(top, "pid", json_object_new_int(env.pid));
		json_object_object_foreach(o, k, v)
			json_object_object_add(top, k, json_object_get(v));
		s = kt_json_string(top);
		printf("%s\n", s);
		free(s);
		json_object_put(top);
	}
	json_object_put(o);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	double start, next;
	int err = 1;

	if (parse_args(argc, argv)) {
		fputs(usage, stderr);
		return 2;
	}
	libbpf_set_print(libbpf_print);
	obj = open_load();
	if (!obj) {
		fprintf(stderr, "kvmi-trace: loading the %s BPF programs failed\n",
			mode_names[env.mode]);
		goto out;
	}
	if (attach_all())
		goto out;
	if (env.pin_dir && pin_all())
		goto out;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "Tracing %s (%s)%s... Hit Ctrl-C to end.\n",
		mode_names[env.mode],
		env.mode == M_HC ? (env.kprobe ? "kprobe" : "fentry") : "fentry",
		env.pin_dir ? ", pinned" : "");
	start = now_s();
	next = start + env.interval;
	while (!exiting) {
		double t = now_s();
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		if (env.duration && t - start >= env.duration)
			break;
		if (env.interval && t >= next) {
			report(t - start, false);
			next += env.interval;
		}
		nanosleep(&ts, NULL);
	}
	report(now_s() - start, true);
	err = 0;
out:
	detach_all();
	destroy_skel();
	if (ksyms_loaded)
		ksyms_free(&ksyms);
	return err;
}
