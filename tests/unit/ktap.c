// SPDX-License-Identifier: GPL-2.0
/* KTAP writer: exact output, nesting, totals and the closing line. */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "ktap.h"

#include <stdlib.h>


static FILE *out;

TEST(plan_results_and_totals)
{
	char *buf = NULL;
	size_t len = 0;
	struct ktap k;

	out = open_memstream(&buf, &len);
	ASSERT_NE(NULL, out);
	ktap_start(&k, out, 3);
	ktap_result(&k, KTAP_PASS, "one", NULL);
	ktap_result(&k, KTAP_FAIL, "two", "timeout");
	ktap_result(&k, KTAP_SKIP, "three", "no kvm");
	ktap_finish(&k);
	fclose(out);
	EXPECT_STREQ("KTAP version 1\n1..3\n"
		     "ok 1 one\n"
		     "not ok 2 two # timeout\n"
		     "ok 3 three # SKIP no kvm\n"
		     "# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0\n"
		     "1 passed, 1 failed, 1 skipped\n", buf);
	free(buf);
}

TEST(closing_line_without_skips)
{
	char *buf = NULL;
	size_t len = 0;
	struct ktap k;

	out = open_memstream(&buf, &len);
	ktap_start(&k, out, 1);
	ktap_result(&k, KTAP_PASS, "a", NULL);
	ktap_finish(&k);
	fclose(out);
	/* The runner's last line is what CI reads. */
	char *last = strrchr(buf, '\n');

	*last = '\0';
	last = strrchr(buf, '\n') + 1;
	EXPECT_STREQ("1 passed, 0 failed", last);
	free(buf);
}

TEST(nested_block_is_indented_and_upgraded)
{
	char *buf = NULL;
	size_t len = 0;
	struct ktap k;

	out = open_memstream(&buf, &len);
	ktap_start(&k, out, 1);
	ktap_nested(&k, "TAP version 13\n1..1\n# note\nok 1 sub\n");
	fclose(out);
	EXPECT_STREQ("KTAP version 1\n1..1\n"
		     "    KTAP version 1\n    1..1\n    # note\n    ok 1 sub\n", buf);
	free(buf);
}

TEST(nested_without_final_newline)
{
	char *buf = NULL;
	size_t len = 0;
	struct ktap k;

	out = open_memstream(&buf, &len);
	ktap_start(&k, out, 0);
	ktap_nested(&k, "ok 1 x");
	fclose(out);
	EXPECT_STREQ("KTAP version 1\n1..0\n    ok 1 x\n", buf);
	free(buf);
}

TEST(diag_splits_lines)
{
	char *buf = NULL;
	size_t len = 0;
	struct ktap k;

	out = open_memstream(&buf, &len);
	ktap_start(&k, out, 0);
	ktap_diag(&k, "a %d\nb", 1);
	fclose(out);
	EXPECT_STREQ("KTAP version 1\n1..0\n# a 1\n# b\n", buf);
	free(buf);
}

TEST_HARNESS_MAIN
