/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log2 histograms in bcc's layout, their statistics (count, avg, min, max,
 * p50, p99) and their JSON form. Pure user-space code, unit tested.
 */
#ifndef KT_HIST_H
#define KT_HIST_H

#include <linux/types.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "kvmi_trace.h"

struct kt_stats {
	uint64_t count, sum, min, max, avg, p50, p99;
};

/* Slot of v: 0 for 0 and 1, floor(log2(v)) above; clamped to KT_SLOTS - 1. */
unsigned int kt_slot(uint64_t v);
/* Bounds of slot i, as bcc prints them: 0 -> 1, 2 -> 3, 4 -> 7, ... */
uint64_t kt_slot_low(unsigned int i);
uint64_t kt_slot_high(unsigned int i);

/* Add one sample, as the BPF side does (for tests and user-side merging). */
void kt_hist_init(struct kt_hist *h);
void kt_hist_add(struct kt_hist *h, uint64_t v);
/* Add b into a. */
void kt_hist_merge(struct kt_hist *a, const struct kt_hist *b);
/* Sum of the slots: equals count unless the BPF side lost a race on count. */
uint64_t kt_hist_total(const struct kt_hist *h);

/*
 * Percentile p (0 < p <= 100) from the slots: the slot holding the sample of
 * rank ceil(p% * total), interpolated linearly inside that slot and clamped
 * to [min, max]. The result always lies in the true percentile's slot.
 */
uint64_t kt_hist_percentile(const struct kt_hist *h, double p);
void kt_hist_stats(const struct kt_hist *h, struct kt_stats *s);

/* bcc print_log2_hist() layout, then one line of statistics. */
void kt_hist_print(FILE *f, const struct kt_hist *h, const char *unit);

/*
 * {"count","sum","avg","min","max","p50","p99",
 *  "buckets":[{"low","high","count"}...]}: non-empty slots only.
 */
json_object *kt_hist_json(const struct kt_hist *h);
/* Serialize without spaces; returns a malloc'd string. */
char *kt_json_string(json_object *o);

#endif
