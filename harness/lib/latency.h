/* SPDX-License-Identifier: GPL-2.0 */
/* Latency samples of a benchmark, summed up as JSON (json-c). */
#ifndef KVMI_LATENCY_H
#define KVMI_LATENCY_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/*
 * {"n", "median_ns", "p99_ns", "min_ns", "max_ns"} of n > 0 samples in
 * nanoseconds; sorts v. The median also goes to *median if not NULL.
 */
json_object *latency_json(uint64_t *v, size_t n, uint64_t *median);
/* Print a JSON document, pretty, with a newline. */
void json_print(json_object *o);

#endif
