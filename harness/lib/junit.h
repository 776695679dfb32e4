/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JUnit XML, what CI services read, written with libxml2 from kvmi-run's
 * summary (summary.json's content): one <testcase> per test, classname its
 * level (L0 or L1), a <failure> with the reason and the verdict for a test
 * that did not pass, and its KTAP as <system-out>.
 */
#ifndef KVMI_JUNIT_H
#define KVMI_JUNIT_H

#include <json-c/json.h>

/* 0, or -1 if the file cannot be written. */
int junit_write(const char *path, struct json_object *summary);

#endif
