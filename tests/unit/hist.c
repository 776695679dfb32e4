// SPDX-License-Identifier: GPL-2.0
/* kvmi-trace's histogram library: bucket edges, percentiles, JSON, layout. */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "../../bpf/hist.h"

#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

TEST(bucket_edges)
{
	unsigned int i;

	/* bcc's layout: 0 -> 1, 2 -> 3, 4 -> 7, ... */
	EXPECT_EQ(0, kt_slot(0));
	EXPECT_EQ(0, kt_slot(1));
	EXPECT_EQ(1, kt_slot(2));
	EXPECT_EQ(1, kt_slot(3));
	EXPECT_EQ(2, kt_slot(4));
	EXPECT_EQ(2, kt_slot(7));
	EXPECT_EQ(3, kt_slot(8));
	EXPECT_EQ(10, kt_slot(1023 + 1));
	EXPECT_EQ(9, kt_slot(1023));
	EXPECT_EQ(KT_SLOTS - 1, kt_slot(UINT64_MAX));	/* clamped */
	EXPECT_EQ(0, kt_slot_low(0));
	EXPECT_EQ(1, kt_slot_high(0));
	for (i = 1; i < KT_SLOTS - 1; i++) {
		/* both edges land in their slot, the next value in the next */
		EXPECT_EQ(i, kt_slot(kt_slot_low(i)));
		EXPECT_EQ(i, kt_slot(kt_slot_high(i)));
		EXPECT_EQ(i + 1, kt_slot(kt_slot_high(i) + 1));
		EXPECT_EQ(kt_slot_high(i - 1) + 1, kt_slot_low(i));
	}
}

TEST(stats_on_known_input)
{
	struct kt_hist h;
	struct kt_stats s;
	uint64_t v;

	kt_hist_init(&h);
	kt_hist_stats(&h, &s);
	EXPECT_EQ(0, s.count);
	EXPECT_EQ(0, s.min);		/* empty: zeros, not ~0 */
	EXPECT_EQ(0, kt_hist_percentile(&h, 50));

	/* 1..100: avg 50 (5050 / 100) */
	for (v = 1; v <= 100; v++)
		kt_hist_add(&h, v);
	kt_hist_stats(&h, &s);
	EXPECT_EQ(100, s.count);
	EXPECT_EQ(5050, s.sum);
	EXPECT_EQ(50, s.avg);
	EXPECT_EQ(1, s.min);
	EXPECT_EQ(100, s.max);
	EXPECT_EQ(100, kt_hist_total(&h));
	/*
	 * rank 50 is the 19th of the 32 samples in 32..63:
	 * 32 + 31 * 19 / 32 = 50 (integer part of 50.4).
	 */
	EXPECT_EQ(50, s.p50);
	/* rank 99 is the 36th of the 37 samples in 64..127: 64 + 63*36/37 = 125,
	 * clamped to max 100 */
	EXPECT_EQ(100, s.p99);
}

TEST(single_value)
{
	struct kt_hist h;
	struct kt_stats s;
	int i;

	kt_hist_init(&h);
	for (i = 0; i < 1000; i++)
		kt_hist_add(&h, 3000);
	kt_hist_stats(&h, &s);
	/* everything in 2048..4095, but min = max = 3000 clamps the estimate */
	EXPECT_EQ(3000, s.p50);
	EXPECT_EQ(3000, s.p99);
	EXPECT_EQ(3000, s.avg);
	EXPECT_EQ(1000, h.slots[kt_slot(3000)]);
}

TEST(percentile_in_true_bucket)
{
	static uint64_t vals[5000];
	struct kt_hist h;
	unsigned int seed = 1, i, k;
	const double ps[] = { 1, 25, 50, 90, 99, 99.9, 100 };

	for (k = 0; k < 20; k++) {
		unsigned int n = 1 + (rand_r(&seed) % 5000);

		kt_hist_init(&h);
		for (i = 0; i < n; i++) {
			/* log-uniform-ish latencies, 0 .. 2^30 */
			vals[i] = (uint64_t)rand_r(&seed) >> (rand_r(&seed) % 31);
			kt_hist_add(&h, vals[i]);
		}
		qsort(vals, n, sizeof(vals[0]), cmp_u64);
		for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
			double r = ps[i] / 100.0 * n;
			uint64_t rank = (uint64_t)r + ((double)(uint64_t)r < r);
			uint64_t truth = vals[(rank ? rank : 1) - 1];
			uint64_t est = kt_hist_percentile(&h, ps[i]);

			EXPECT_EQ(kt_slot(truth), kt_slot(est));
			EXPECT_LE(h.min, est);
			EXPECT_GE(h.max, est);
		}
		/* p100 is the max, exactly */
		EXPECT_EQ(vals[n - 1], kt_hist_percentile(&h, 100));
	}
}

TEST(merge)
{
	struct kt_hist a, b;

	kt_hist_init(&a);
	kt_hist_init(&b);
	kt_hist_add(&a, 10);
	kt_hist_add(&b, 5);
	kt_hist_add(&b, 1000);
	kt_hist_merge(&a, &b);
	EXPECT_EQ(3, a.count);
	EXPECT_EQ(1015, a.sum);
	EXPECT_EQ(5, a.min);
	EXPECT_EQ(1000, a.max);
	EXPECT_EQ(3, kt_hist_total(&a));
}

TEST(json_writer)
{
	struct kt_hist h;
	json_object *o, *p, *b, *e;
	char *s;
	uint64_t total = 0;
	size_t i;

	kt_hist_init(&h);
	kt_hist_add(&h, 0);
	kt_hist_add(&h, 5);
	kt_hist_add(&h, 6);
	kt_hist_add(&h, 1 << 20);
	o = kt_hist_json(&h);
	s = kt_json_string(o);
	EXPECT_STREQ("{\"count\":4,\"sum\":1048587,\"avg\":262146,\"min\":0,"
		     "\"max\":1048576,\"p50\":5,\"p99\":1048576,\"buckets\":["
		     "{\"low\":0,\"high\":1,\"count\":1},"
		     "{\"low\":4,\"high\":7,\"count\":2},"
		     "{\"low\":1048576,\"high\":2097151,\"count\":1}]}", s);
	/* and it parses back, buckets totalling count */
	p = json_tokener_parse(s);
	ASSERT_NE(NULL, p);
	ASSERT_TRUE(json_object_object_get_ex(p, "buckets", &b));
	for (i = 0; i < json_object_array_length(b); i++) {
		ASSERT_TRUE(json_object_object_get_ex(
			json_object_array_get_idx(b, i), "count", &e));
		total += json_object_get_uint64(e);
	}
	EXPECT_EQ(4, total);
	free(s);
	json_object_put(p);
	json_object_put(o);

	/* empty histogram: zeros and no buckets */
	kt_hist_init(&h);
	o = kt_hist_json(&h);
	s = kt_json_string(o);
	EXPECT_STREQ("{\"count\":0,\"sum\":0,\"avg\":0,\"min\":0,\"max\":0,"
		     "\"p50\":0,\"p99\":0,\"buckets\":[]}", s);
	free(s);
	json_object_put(o);
}

TEST(bcc_layout)
{
	struct kt_hist h;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	kt_hist_init(&h);
	kt_hist_add(&h, 2);
	kt_hist_add(&h, 5);
	kt_hist_add(&h, 6);
	f = open_memstream(&buf, &len);
	ASSERT_NE(NULL, f);
	kt_hist_print(f, &h, "nsecs");
	fclose(f);
	EXPECT_STREQ(
"     nsecs               : count    distribution\n"
"         0 -> 1          : 0        |                                        |\n"
"         2 -> 3          : 1        |********************                    |\n"
"         4 -> 7          : 2        |****************************************|\n"
"count 3 avg 4 min 2 max 6 p50 5 p99 6 (nsecs)\n", buf);
	free(buf);
}

TEST_HARNESS_MAIN
