// SPDX-License-Identifier: GPL-2.0
#include "latency.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

json_object *latency_json(uint64_t *v, size_t n, uint64_t *median)
{
	json_object *o = json_object_new_object();

	qsort(v, n, sizeof(*v), cmp_u64);
	json_object_object_add(o, "n", json_object_new_uint64(n));
	json_object_object_add(o, "median_ns", json_object_new_uint64(v[n / 2]));
	json_object_object_add(o, "p99_ns", json_object_new_uint64(v[n * 99 / 100]));
	json_object_object_add(o, "min_ns", json_object_new_uint64(v[0]));
	json_object_object_add(o, "max_ns", json_object_new_uint64(v[n - 1]));
	if (median)
		*median = v[n / 2];
	return o;
}

void json_print(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					       JSON_C_TO_STRING_NOSLASHESCAPE));
}
