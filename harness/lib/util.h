/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KVMI_UTIL_H
#define KVMI_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

/* Monotonic milliseconds. */
int64_t now_ms(void);
/* Create a directory and its parents; 0 or -errno. */
int mkdir_p(const char *path);
/* Read a whole file into a NUL-terminated malloc'd buffer; NULL on error. */
char *read_file(const char *path, size_t *len);
/* The same from an open file descriptor, to its end (stdin: from where it is). */
char *read_fd(int fd, size_t *len);
/* Write (truncate) a whole file; 0 or -errno. */
int write_file(const char *path, const void *buf, size_t len);
/* malloc'd printf. Aborts on allocation failure. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* snprintf that may truncate, by design (no -Wformat-truncation). */
void strfmt(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void *xmalloc(size_t n);
/* The N strings of V joined by single spaces, malloc'd. */
char *strv_join(char *const *v, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Parse a whole string as an unsigned number (0x allowed); 0 or -EINVAL. */
int parse_u64(const char *s, uint64_t *out);
/* parse_u64, or a message naming prog and exit(2): for command lines. */
uint64_t arg_u64(const char *prog, const char *s);
/* qsort() comparator for uint64_t. */
int cmp_u64(const void *a, const void *b);
/* Copy a regular file, creating dst with the given mode; 0 or -errno. */
int copy_file(const char *src, const char *dst, unsigned int mode);
#endif
