// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "junit.h"

#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static double num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

static void attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value);
}

static void attrf(xmlTextWriterPtr w, const char *name, double value)
{
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%.3f", value);
}

static void testcase(xmlTextWriterPtr w, struct json_object *t)
{
	const char *out = str(t, "ktap");

	xmlTextWriterStartElement(w, BAD_CAST "testcase");
	attr(w, "name", str(t, "name"));
	attr(w, "classname", str(t, "level"));
	attrf(w, "time", num(t, "seconds"));
	if (strcmp(str(t, "result"), "pass")) {
		xmlTextWriterStartElement(w, BAD_CAST "failure");
		attr(w, "message", str(t, "reason"));
		attr(w, "type", str(t, "verdict"));
		/* a kernel message: its console's lines, as the failure's text */
		if (*str(t, "kernel_message"))
			xmlTextWriterWriteString(w, BAD_CAST str(t, "kernel_message"));
		xmlTextWriterEndElement(w);
	}
	if (*out)
		xmlTextWriterWriteElement(w, BAD_CAST "system-out", BAD_CAST out);
	xmlTextWriterEndElement(w);
}

int junit_write(const char *path, struct json_object *summary)
{
	struct json_object *tests;
	xmlTextWriterPtr w = xmlNewTextWriterFilename(path, 0);
	size_t n;
	int ret;

	if (!w)
		return -1;
	json_object_object_get_ex(summary, "tests", &tests);
	n = json_object_array_length(tests);
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
	xmlTextWriterStartElement(w, BAD_CAST "testsuites");
	xmlTextWriterStartElement(w, BAD_CAST "testsuite");
	attr(w, "name", "kvmi-harness");
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST "tests", "%zu", n);
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST "failures", "%d",
					  (int)num(summary, "failed"));
	attrf(w, "time", num(summary, "seconds"));
	for (size_t i = 0; i < n; i++)
		testcase(w, json_object_array_get_idx(tests, i));
	xmlTextWriterEndElement(w);
	xmlTextWriterEndElement(w);
	ret = xmlTextWriterEndDocument(w) < 0 ? -1 : 0;
	xmlFreeTextWriter(w);
	return ret;
}
