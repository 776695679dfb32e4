/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmi-trace's user-space side: the options, and one mode per tracer, each
 * in X.c next to its X.bpf.c (hc, pin, pfn, zap), in a table that
 * kvmi_trace.c drives: open and load the skeleton, attach (libbpf's
 * skeleton attach, so every link is named after its program), report,
 * destroy. report.c holds what the reports share.
 */
#ifndef KT_MODE_H
#define KT_MODE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>
#include <bpf/libbpf.h>

struct kt_env {
	pid_t pid;
	unsigned int interval;		/* seconds, 0: print at the end only */
	unsigned int duration;		/* seconds, 0: until SIGINT/SIGTERM */
	bool kprobe;
	bool json;
	bool verbose;
	const char *pin_dir;
	FILE *json_file;		/* -o: each report's JSON here too */
	bool timestamp;			/* -T: each report starts with the time */
	bool cumulative;		/* -i without clearing between reports */
	uint64_t unit_div;		/* 1, 1000 (-u) or 1000000 (-m) */
	const char *unit;		/* "nsecs", "usecs", "msecs" */
};
extern struct kt_env env;

struct kt_mode {
	const char *name;
	/* Open, configure and load; the skeleton (its obj, progs and links). */
	struct bpf_object_skeleton *(*open_load)(void);
	/* This run's report, also printed as text unless env.json. */
	json_object *(*report)(struct bpf_object *obj);
	void (*destroy)(void);
	/*
	 * After an interval's report, unless --cumulative: start the next
	 * interval from zero, as bcc's tools clear their histograms. NULL for
	 * modes whose report is a balance over the whole run (pin, pfn).
	 */
	void (*clear)(struct bpf_object *obj);
	/* How it attaches, for the "Tracing" line. */
	const char *(*attach_kind)(void);
};

extern const struct kt_mode kt_mode_hc, kt_mode_pin, kt_mode_pfn, kt_mode_zap;

/*
 * open_load and destroy for a mode whose only setting is the pid filter
 * (rodata targ_tgid).
 */
#define KT_SIMPLE_SKELETON(X)						\
static struct X##_bpf *X##_skel;					\
static struct bpf_object_skeleton *X##_open_load(void)			\
{									\
	X##_skel = X##_bpf__open();					\
	if (!X##_skel)							\
		return NULL;						\
	X##_skel->rodata->targ_tgid = env.pid;				\
	kt_size_pfn_maps(X##_skel->obj);				\
	return X##_bpf__load(X##_skel) ? NULL : X##_skel->skeleton;	\
}									\
static void X##_destroy(void)						\
{									\
	X##_bpf__destroy(X##_skel);					\
	X##_skel = NULL;						\
}

/* report.c */
int kt_map_fd(struct bpf_object *obj, const char *name);
/* All keys of a hash map with 8-byte keys, sorted; free() them. */
uint64_t *kt_map_keys(int fd, size_t *n);
/* All its keys and values (vsize bytes each), in batches; free() both. */
size_t kt_map_dump(int fd, size_t vsize, uint64_t **keys, void **vals);
/* Before load: size the pfn-keyed maps to this machine's RAM. */
void kt_size_pfn_maps(struct bpf_object *obj);
uint64_t kt_counter(int fd, uint32_t idx);
void kt_add_u64(json_object *o, const char *k, uint64_t v);
/* pin and pfn: reference balance per pfn, unbalanced and orphan pfns. */
json_object *kt_report_refs(struct bpf_object *obj, const char *what_taken,
			    const char *what_dropped, bool pfn);
void kt_report_free(void);
const char *kt_fentry(void);

#endif
