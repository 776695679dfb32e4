// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "hist.h"

#include <stdlib.h>
#include <string.h>

unsigned int kt_slot(uint64_t v)
{
	unsigned int r = 0;

	while (v >>= 1)
		r++;
	return r < KT_SLOTS ? r : KT_SLOTS - 1;
}

uint64_t kt_slot_low(unsigned int i)
{
	return i == 0 ? 0 : 1ULL << i;
}

uint64_t kt_slot_high(unsigned int i)
{
	if (i >= 63)
		return UINT64_MAX;
	return (1ULL << (i + 1)) - 1;
}

void kt_hist_init(struct kt_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void kt_hist_add(struct kt_hist *h, uint64_t v)
{
	h->slots[kt_slot(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void kt_hist_merge(struct kt_hist *a, const struct kt_hist *b)
{
	unsigned int i;

	for (i = 0; i < KT_SLOTS; i++)
		a->slots[i] += b->slots[i];
	a->count += b->count;
	a->sum += b->sum;
	if (b->count && b->min < a->min)
		a->min = b->min;
	if (b->max > a->max)
		a->max = b->max;
}

uint64_t kt_hist_total(const struct kt_hist *h)
{
	uint64_t t = 0;
	unsigned int i;

	for (i = 0; i < KT_SLOTS; i++)
		t += h->slots[i];
	return t;
}

uint64_t kt_hist_percentile(const struct kt_hist *h, double p)
{
	uint64_t total = kt_hist_total(h), rank, cum = 0, lo, hi, v;
	unsigned int i;

	if (!total || p <= 0)
		return 0;
	if (p > 100)
		p = 100;
	{
		double r = p / 100.0 * (double)total;	/* ceil() without libm */

		rank = (uint64_t)r;
		if ((double)rank < r)
			rank++;
	}
	if (rank < 1)
		rank = 1;
	for (i = 0; i < KT_SLOTS; i++) {
		uint64_t c = h->slots[i];

		if (!c || cum + c < rank) {
			cum += c;
			continue;
		}
		lo = kt_slot_low(i);
		hi = kt_slot_high(i);
		/* k-th of c samples spread evenly over [lo, hi] */
		v = lo + (uint64_t)((double)(hi - lo) * (double)(rank - cum) / (double)c);
		if (h->count && h->min != UINT64_MAX && v < h->min && h->min <= hi)
			v = h->min;
		if (h->count && v > h->max && h->max >= lo)
			v = h->max;
		return v;
	}
	return 0;
}

void kt_hist_stats(const struct kt_hist *h, struct kt_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->count = h->count;
	s->sum = h->sum;
	if (!h->count)
		return;
	s->min = h->min;
	s->max = h->max;
	s->avg = h->sum / h->count;
	s->p50 = kt_hist_percentile(h, 50);
	s->p99 = kt_hist_percentile(h, 99);
}

static void print_stars(FILE *f, uint64_t val, uint64_t val_max, int width)
{
	int num_stars, i;

	num_stars = (int)((val < val_max ? val : val_max) * width / val_max);
	for (i = 0; i < num_stars; i++)
		fputc('*', f);
	for (i = 0; i < width - num_stars; i++)
		fputc(' ', f);
	if (val > val_max)
		fputc('+', f);
}

void kt_hist_print(FILE *f, const struct kt_hist *h, const char *unit)
{
	int idx_max = -1, i, stars, width;
	uint64_t val_max = 0;
	struct kt_stats s;

	for (i = 0; i < KT_SLOTS; i++) {
		if (h->slots[i])
			idx_max = i;
		if (h->slots[i] > val_max)
			val_max = h->slots[i];
	}
	if (idx_max >= 0) {
		fprintf(f, "%*s%-*s : count    distribution\n",
			idx_max <= 32 ? 5 : 15, "", idx_max <= 32 ? 19 : 29, unit);
		stars = idx_max <= 32 ? 40 : 20;
		width = idx_max <= 32 ? 10 : 20;
		for (i = 0; i <= idx_max; i++) {
			fprintf(f, "%*llu -> %-*llu : %-8llu |", width,
				(unsigned long long)kt_slot_low(i), width,
				(unsigned long long)kt_slot_high(i),
				(unsigned long long)h->slots[i]);
			print_stars(f, h->slots[i], val_max, stars);
			fputs("|\n", f);
		}
	}
	kt_hist_stats(h, &s);
	fprintf(f, "count %llu avg %llu min %llu max %llu p50 %llu p99 %llu (%s)\n",
		(unsigned long long)s.count, (unsigned long long)s.avg,
		(unsigned long long)s.min, (unsigned long long)s.max,
		(unsigned long long)s.p50, (unsigned long long)s.p99, unit);
}

static void add_u64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

json_object *kt_hist_json(const struct kt_hist *h)
{
	json_object *o = json_object_new_object(), *b = json_object_new_array();
	struct kt_stats s;
	unsigned int i;

	kt_hist_stats(h, &s);
	add_u64(o, "count", s.count);
	add_u64(o, "sum", s.sum);
	add_u64(o, "avg", s.avg);
	add_u64(o, "min", s.min);
	add_u64(o, "max", s.max);
	add_u64(o, "p50", s.p50);
	add_u64(o, "p99", s.p99);
	for (i = 0; i < KT_SLOTS; i++) {
		json_object *e;

		if (!h->slots[i])
			continue;
		e = json_object_new_object();
		add_u64(e, "low", kt_slot_low(i));
		add_u64(e, "high", kt_slot_high(i));
		add_u64(e, "count", h->slots[i]);
		json_object_array_add(b, e);
	}
	json_object_object_add(o, "buckets", b);
	return o;
}

char *kt_json_string(json_object *o)
{
	return strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}
