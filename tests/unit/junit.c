// SPDX-License-Identifier: GPL-2.0
/*
 * junit.xml: one testcase per test, failures with their reason (and the
 * kernel message's lines as the failure's text), valid XML.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "junit.h"
#include "util.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <unistd.h>

static struct json_object *result(const char *name, const char *res,
				  const char *reason, const char *ktap)
{
	struct json_object *t = json_object_new_object();

	json_object_object_add(t, "name", json_object_new_string(name));
	json_object_object_add(t, "level", json_object_new_string("L1"));
	json_object_object_add(t, "result", json_object_new_string(res));
	json_object_object_add(t, "verdict", json_object_new_string(res));
	json_object_object_add(t, "reason", json_object_new_string(reason));
	json_object_object_add(t, "seconds", json_object_new_double(1.5));
	if (ktap)
		json_object_object_add(t, "ktap", json_object_new_string(ktap));
	return t;
}

/* The XPath expression's value as a string equals want. */
static bool xpath_is(xmlDocPtr doc, const char *expr, const char *want)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	char *s = (char *)xmlXPathCastToString(o);
	bool same = !strcmp(s, want);

	if (!same)
		fprintf(stderr, "# %s: \"%s\", not \"%s\"\n", expr, s, want);
	xmlFree(s);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return same;
}

TEST(failures_reasons_and_output)
{
	struct json_object *sum = json_object_new_object(), *tests = json_object_new_array();
	char path[] = "/tmp/kvmi-junit-XXXXXX";
	xmlDocPtr doc;

	json_object_array_add(tests, result("l2_boot", "pass", "", "KTAP version 1\n1..1\nok 1 x\n"));
	json_object_array_add(tests, result("host_map", "fail",
					    "watchdog: kernel BUG (l1 console): <kernel BUG at x.c:1!>", NULL));
	json_object_object_add(json_object_array_get_idx(tests, 1), "kernel_message",
			       json_object_new_string("[1.0] kernel BUG at x.c:1!\n[1.1] Call Trace:\n"));
	json_object_object_add(sum, "tests", tests);
	json_object_object_add(sum, "failed", json_object_new_int(1));
	json_object_object_add(sum, "seconds", json_object_new_double(3));
	close(mkstemp(path));
	ASSERT_EQ(0, junit_write(path, sum));
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	ASSERT_NE(NULL, doc);
	EXPECT_TRUE(xpath_is(doc, "count(//testsuite/testcase)", "2"));
	EXPECT_TRUE(xpath_is(doc, "string(//testsuite/@failures)", "1"));
	EXPECT_TRUE(xpath_is(doc, "string(//testcase[@name='host_map']/failure/@message)",
			     "watchdog: kernel BUG (l1 console): <kernel BUG at x.c:1!>"));
	EXPECT_TRUE(xpath_is(doc, "string(//testcase[@name='host_map']/failure)",
			     "[1.0] kernel BUG at x.c:1!\n[1.1] Call Trace:\n"));
	EXPECT_TRUE(xpath_is(doc, "count(//testcase[@name='l2_boot']/failure)", "0"));
	EXPECT_TRUE(xpath_is(doc, "string(//testcase[@name='l2_boot']/system-out)",
			     "KTAP version 1\n1..1\nok 1 x\n"));
	EXPECT_TRUE(xpath_is(doc, "string(//testcase[@name='l2_boot']/@classname)", "L1"));
	xmlFreeDoc(doc);
	unlink(path);
	json_object_put(sum);
}

TEST(unwritable_path_is_an_error)
{
	struct json_object *sum = json_object_new_object();

	json_object_object_add(sum, "tests", json_object_new_array());
	EXPECT_EQ(-1, junit_write("/nonexistent/dir/junit.xml", sum));
	json_object_put(sum);
}

TEST_HARNESS_MAIN
