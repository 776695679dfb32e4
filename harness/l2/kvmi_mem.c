// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-mem: poke at /dev/kvmmem by hand inside the introspector. Commands run
 * in order in one process (mappings live as long as it does):
 *
 *   kvmi-mem [-t TOKEN_FILE] CMD...    or    kvmi-mem [-t TOKEN_FILE] -i
 *     map GPA          map target GPA into a window page of this process
 *                      (a page of /dev/kvmmem's mapping window, mmap()ed);
 *                      a refused map must leave that page as it was
 *     dump GPA [LEN]   hex dump of that page (default 256 bytes)
 *     unmap GPA
 *     list             every live mapping in this guest: pid gva gpa target
 *     sleep SECS
 *   -i reads the commands from stdin, one per line. The token comes from the
 *   file the harness places it in (default /run/t).
 */
#define _GNU_SOURCE
#include <uapi/kvmi.h>
#include "cli.h"
#include "util.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096
#define MAX_MAPS 1024
/* What a window page holds while a map over it is asked for. */
#define WINDOW_MARK 0xa5

static struct {
	uint64_t gpa;
	char *gva;
} maps[MAX_MAPS];
static int fd = -1;
static struct kvmi_mem_map req;

static char **find(uint64_t gpa)
{
	for (int i = 0; i < MAX_MAPS; i++)
		if (maps[i].gva && maps[i].gpa == gpa)
			return &maps[i].gva;
	return NULL;
}

/* The page at p holds byte c throughout. */
static bool page_is(const char *p, unsigned char c)
{
	for (int i = 0; i < PAGE; i++)
		if ((unsigned char)p[i] != c)
			return false;
	return true;
}

static int do_map(uint64_t gpa)
{
	char *p;
	int i;

	for (i = 0; i < MAX_MAPS && maps[i].gva; i++)
		;
	if (i == MAX_MAPS || find(gpa)) {
		fprintf(stderr, "kvmi-mem: 0x%" PRIx64 ": %s\n", gpa,
			i == MAX_MAPS ? "too many maps" : "mapped already");
		return 1;
	}
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED)
		memset(p, WINDOW_MARK, PAGE);
	req.gpa = gpa;
	req.gva = (uintptr_t)p;
	if (p == MAP_FAILED || ioctl(fd, KVM_INTRO_MEM_MAP, &req)) {
		fprintf(stderr, "kvmi-mem: map 0x%" PRIx64 ": %s\n", gpa, errno_str(errno));
		/* A refused map leaves the window's page as it was. */
		if (p != MAP_FAILED && !page_is(p, WINDOW_MARK))
			fprintf(stderr, "kvmi-mem: map 0x%" PRIx64
				": refused, yet the window page changed\n", gpa);
		if (p != MAP_FAILED)
			munmap(p, PAGE);
		return 1;
	}
	maps[i].gpa = gpa;
	maps[i].gva = p;
	printf("mapped target gpa 0x%" PRIx64 " at %p\n", gpa, (void *)p);
	return 0;
}

static int do_dump(uint64_t gpa, uint64_t len)
{
	char **m = find(gpa);

	if (!m || len > PAGE) {
		fprintf(stderr, "kvmi-mem: 0x%" PRIx64 ": %s\n", gpa,
			m ? "length over a page" : "not mapped here");
		return 1;
	}
	for (uint64_t off = 0; off < len; off += 16) {
		printf("%08" PRIx64 ": ", gpa + off);
		for (int i = 0; i < 16; i++)
			printf("%02x%s", (unsigned char)(*m)[off + i], i % 2 ? " " : "");
		printf(" ");
		for (int i = 0; i < 16; i++)
			putchar(isprint((unsigned char)(*m)[off + i]) ? (*m)[off + i] : '.');
		printf("\n");
	}
	return 0;
}

static int do_unmap(uint64_t gpa)
{
	char **m = find(gpa);

	if (!m) {
		fprintf(stderr, "kvmi-mem: 0x%" PRIx64 ": not mapped here\n", gpa);
		return 1;
	}
	if (ioctl(fd, KVM_INTRO_MEM_UNMAP, (unsigned long)*m)) {
		fprintf(stderr, "kvmi-mem: unmap 0x%" PRIx64 ": %s\n", gpa, errno_str(errno));
		return 1;
	}
	munmap(*m, PAGE);
	*m = NULL;
	printf("unmapped target gpa 0x%" PRIx64 "\n", gpa);
	return 0;
}

static uint64_t num(const char *s)
{
	return arg_u64("kvmi-mem", s);
}

/* Run one command from words; returns how many words it used, or -1. */
static int run(char **w, int n, int *failed)
{
	if (!strcmp(w[0], "map") && n >= 2) {
		*failed |= do_map(num(w[1]));
		return 2;
	}
	if (!strcmp(w[0], "dump") && n >= 2) {
		bool len = n >= 3 && isdigit((unsigned char)w[2][0]);

		*failed |= do_dump(num(w[1]), len ? num(w[2]) : 256);
		return len ? 3 : 2;
	}
	if (!strcmp(w[0], "unmap") && n >= 2) {
		*failed |= do_unmap(num(w[1]));
		return 2;
	}
	if (!strcmp(w[0], "sleep") && n >= 2) {
		sleep(num(w[1]));
		return 2;
	}
	if (!strcmp(w[0], "list")) {
		char *s = read_file("/sys/kernel/debug/kvmmem/mappings", NULL);

		if (!s)
			perror("kvmi-mem: /sys/kernel/debug/kvmmem/mappings");
		fputs(s ? s : "", stdout);
		*failed |= !s;
		free(s);
		return 1;
	}
	fprintf(stderr, "kvmi-mem: unknown command \"%s\"\n", w[0]);
	return -1;
}

/* For help alone: the commands run in sequence, see run(). */
static const struct cli_cmd cmds[] = {
	{ .name = "map", .args = "GPA", .help = "map target GPA into a fresh page of this process" },
	{ .name = "dump", .args = "GPA [LEN]", .help = "hex dump of that page (default 256 bytes)" },
	{ .name = "unmap", .args = "GPA", .help = "unmap it" },
	{ .name = "list", .args = "", .help = "every live mapping in this guest: pid gva local_gpa target_gpa" },
	{ .name = "sleep", .args = "SECS", .help = "wait" },
	{ NULL }
};

static const struct cli cli = {
	.prog = "kvmi-mem",
	.summary = "/dev/kvmmem by hand, inside the introspector",
	.options = "  -t TOKEN_FILE  the token (default /run/t, where the harness puts it)\n"
		   "  -i             read the commands from stdin, one per line\n",
	.footer = "Commands run in order in one process, so mappings live as long as it does:\n"
		  "  kvmi-mem map 0x8000000 dump 0x8000000 32 list unmap 0x8000000\n",
	.cmds = cmds,
};

int main(int argc, char **argv)
{
	const char *tok = "/run/t";
	bool interactive = false;
	int c, failed = 0;
	size_t len;
	char *t;

	if (argc == 2 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help") || !strcmp(argv[1], "--version")))
		return cli_dispatch(&cli, 1, argv + 1);
	while ((c = getopt(argc, argv, "t:i")) != -1) {
		if (c == 't')
			tok = optarg;
		else if (c == 'i')
			interactive = true;
		else
			goto usage;
	}
	if (!interactive && optind == argc)
		goto usage;
	t = read_file(tok, &len);
	if (!t || len != sizeof(req.token)) {
		fprintf(stderr, "kvmi-mem: %s: want a 32-byte token\n", tok);
		return 1;
	}
	memcpy(&req.token, t, sizeof(req.token));
	free(t);
	fd = open("/dev/kvmmem", O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "kvmi-mem: /dev/kvmmem: %s (is kvmmem.ko loaded?)\n",
			errno_str(errno));
		return 1;
	}
	if (interactive) {
		char line[256], *w[8];

		while (fgets(line, sizeof(line), stdin)) {
			int n = 0;

			for (char *s = strtok(line, " \t\n"); s && n < 8; s = strtok(NULL, " \t\n"))
				w[n++] = s;
			if (n)
				run(w, n, &failed);
			fflush(stdout);
		}
	} else {
		for (int i = optind; i < argc;) {
			int used = run(argv + i, argc - i, &failed);

			if (used < 0)
				goto usage;
			i += used;
		}
	}
	return failed;	/* closing the device unmaps what is left */
usage:
	cli_usage(&cli, stderr);
	return 2;
}
