// SPDX-License-Identifier: GPL-2.0
/*
 * kvmmem_bench: /dev/kvmmem latency inside the introspector, as ratios
 * within one run. Prints JSON. Not a test: it asserts nothing about speed.
 *
 *   kvmmem_bench [ITERATIONS]
 *
 * null        ioctl round trip of a null hypercall (nr 1) via /dev/kvmi_hctest
 * map_unmap   KVM_INTRO_MEM_MAP + KVM_INTRO_MEM_UNMAP round trip
 * map@L       one map (then unmapped, untimed) while L mappings are live,
 *             L = 1, 1000, 10000
 */
#define _GNU_SOURCE
#include <uapi/kvmi.h>
#include "kvmi_hctest.h"
#include "latency.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAX_LIVE 10000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "kvmmem_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, fd, hc, tf;
	const int live[] = { 1, 1000, 10000 };
	uint64_t *t = calloc(n, sizeof(*t)), base = 0x1000000, null_med, rt_med;
	struct kvmi_hctest_call call = { .nr = 1 };
	struct kvmi_mem_map req = { 0 };
	char *buf, *probe;
	json_object *o = json_object_new_object();
	uint64_t *rt = calloc(n, sizeof(*rt));
	int mapped = 0;

	tf = open(getenv("KVMMEM_TOKEN") ?: "/run/t", O_RDONLY);
	if (tf < 0 || read(tf, &req.token, sizeof(req.token)) != sizeof(req.token))
		die("token");
	fd = open("/dev/kvmmem", O_RDWR);
	hc = open("/dev/kvmi_hctest", O_RDWR);
	if (fd < 0 || hc < 0)
		die("setup");
	/* Window pages of /dev/kvmmem: the only place maps may go. */
	buf = mmap(NULL, (MAX_LIVE + 1) * PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (buf == MAP_FAILED || !t || n < 1)
		die("setup");
	probe = buf + MAX_LIVE * PAGE;

	json_object_object_add(o, "iterations", json_object_new_int(n));
	/* Interleaved, so both see the same conditions. */
	for (int i = 0; i < n; i++) {
		uint64_t t0 = now_ns(), t1, t2;

		if (ioctl(hc, KVMI_HCTEST_CALL, &call))
			die("null hypercall");
		t1 = now_ns();
		req.gva = (uintptr_t)probe;
		req.gpa = base;
		if (ioctl(fd, KVM_INTRO_MEM_MAP, &req) ||
		    ioctl(fd, KVM_INTRO_MEM_UNMAP, (unsigned long)probe))
			die("map/unmap");
		t2 = now_ns();
		t[i] = t1 - t0;
		rt[i] = t2 - t1;
	}
	json_object_object_add(o, "null", latency_json(t, n, &null_med));
	json_object_object_add(o, "map_unmap", latency_json(rt, n, &rt_med));
	json_object_object_add(o, "map_unmap_over_null",
			       json_object_new_double((double)rt_med / null_med));

	for (int k = 0; k < 3; k++) {
		int m = n < 200 ? n : 200;
		char name[32];

		for (; mapped < live[k]; mapped++) {
			req.gva = (uintptr_t)(buf + mapped * PAGE);
			req.gpa = base + (mapped + 1) * PAGE;
			if (ioctl(fd, KVM_INTRO_MEM_MAP, &req))
				die("fill");
		}
		for (int i = 0; i < m; i++) {
			uint64_t t0 = now_ns();

			req.gva = (uintptr_t)probe;
			req.gpa = base;
			if (ioctl(fd, KVM_INTRO_MEM_MAP, &req))
				die("map");
			t[i] = now_ns() - t0;
			if (ioctl(fd, KVM_INTRO_MEM_UNMAP, (unsigned long)probe))
				die("unmap");
		}
		snprintf(name, sizeof(name), "map_with_%d_live", live[k]);
		json_object_object_add(o, name, latency_json(t, m, NULL));
	}
	json_print(o);
	json_object_put(o);
	close(fd);	/* unmaps the 10000 */
	return 0;
}
