// SPDX-License-Identifier: GPL-2.0
/* KTAP writer: exact output, nesting, totals and the closing line. */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "ktap.h"
#include "util.h"

#include <stdlib.h>

/* Each test writes KTAP into a memory stream; output() closes it. */
FIXTURE(mem) {
	char *buf;
	size_t len;
	FILE *out;
	struct ktap k;
};

FIXTURE_SETUP(mem)
{
	self->buf = NULL;
	self->out = open_memstream(&self->buf, &self->len);
	ASSERT_NE(NULL, self->out);
}

FIXTURE_TEARDOWN(mem)
{
	free(self->buf);
}

static const char *output(FIXTURE_DATA(mem) *self)
{
	fclose(self->out);
	return self->buf;
}

TEST_F(mem, plan_results_and_totals)
{
	ktap_start(&self->k, self->out, 3);
	ktap_result(&self->k, KTAP_PASS, "one", NULL);
	ktap_result(&self->k, KTAP_FAIL, "two", "TIMEOUT");
	ktap_result(&self->k, KTAP_SKIP, "three", "no kvm");
	ktap_finish(&self->k);
	EXPECT_STREQ("KTAP version 1\n1..3\n"
		     "ok 1 one\n"
		     "not ok 2 two # TIMEOUT\n"
		     "ok 3 three # SKIP no kvm\n"
		     "# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0\n"
		     "1 passed, 1 failed, 1 skipped\n", output(self));
}

TEST_F(mem, closing_line_without_skips)
{
	ktap_start(&self->k, self->out, 1);
	ktap_result(&self->k, KTAP_PASS, "a", NULL);
	ktap_finish(&self->k);
	/* The runner's last line is what CI reads. */
	char *buf = (char *)output(self), *last = strrchr(buf, '\n');

	*last = '\0';
	last = strrchr(buf, '\n') + 1;
	EXPECT_STREQ("1 passed, 0 failed", last);
}

TEST_F(mem, nested_block_is_indented_and_upgraded)
{
	ktap_start(&self->k, self->out, 1);
	ktap_nested(&self->k, "TAP version 13\n1..1\n# note\nok 1 sub\n");
	EXPECT_STREQ("KTAP version 1\n1..1\n"
		     "    KTAP version 1\n    1..1\n    # note\n    ok 1 sub\n", output(self));
}

/* 6.1's kselftest_harness.h names no skipped test: its RUN line does. */
TEST_F(mem, nested_skip_gets_its_name)
{
	ktap_start(&self->k, self->out, 0);
	ktap_nested(&self->k, "TAP version 13\n1..2\n"
		    "#  RUN           window.fail_nth_sweeps ...\n"
		    "#      SKIP      not selected\n"
		    "#            OK  window.fail_nth_sweeps\n"
		    "ok 1 # SKIP not selected\n"
		    "    ok 3 # SKIP deeper\n"
		    "ok 2 race.map # SKIP named already\n");
	EXPECT_STREQ("KTAP version 1\n1..0\n    KTAP version 1\n    1..2\n"
		     "    #  RUN           window.fail_nth_sweeps ...\n"
		     "    #      SKIP      not selected\n"
		     "    #            OK  window.fail_nth_sweeps\n"
		     "    ok 1 window.fail_nth_sweeps # SKIP not selected\n"
		     "        ok 3 window.fail_nth_sweeps # SKIP deeper\n"
		     "    ok 2 race.map # SKIP named already\n", output(self));
}

TEST_F(mem, nested_without_final_newline)
{
	ktap_start(&self->k, self->out, 0);
	ktap_nested(&self->k, "ok 1 x");
	EXPECT_STREQ("KTAP version 1\n1..0\n    ok 1 x\n", output(self));
}

TEST_F(mem, diag_splits_lines)
{
	ktap_start(&self->k, self->out, 0);
	ktap_diag(&self->k, "a %d\nb", 1);
	EXPECT_STREQ("KTAP version 1\n1..0\n# a 1\n# b\n", output(self));
}

/* What kvmi-run prints, read by the kernel's own KTAP parser. */
TEST_F(mem, kunit_parser_reads_it)
{
	char path[] = "/tmp/kvmi-ktap-XXXXXX", line[512], last[512] = "";
	bool error = false;
	char *cmd;
	FILE *f;

	ktap_start(&self->k, self->out, 4);
	ktap_diag(&self->k, "kvmi-run: kernel 6.1.0-56-amd64");
	ktap_nested(&self->k, "TAP version 13\n1..3\nok 1 boot\n"
		    "#  RUN           pair.skipped ...\nok 2 # SKIP not selected\nok 3 map\n");
	ktap_result(&self->k, KTAP_PASS, "host_map", NULL);
	ktap_nested(&self->k, "KTAP version 1\n1..1\nnot ok 1 expired token\n");
	ktap_result(&self->k, KTAP_FAIL, "guest_kvmmem", NULL);
	ktap_result(&self->k, KTAP_FAIL, "trace_hc", "TIMEOUT");
	ktap_result(&self->k, KTAP_SKIP, "watchdog", "no kvm");
	ktap_finish(&self->k);
	close(mkstemp(path));
	write_file(path, output(self), strlen(self->buf));
	cmd = xasprintf("/usr/bin/python3 %s parse %s", KUNIT_PY, path);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		error |= strstr(line, "[ERROR]") != NULL;
		snprintf(last, sizeof(last), "%s", line);
	}
	pclose(f);
	EXPECT_FALSE(error);
	EXPECT_NE(NULL, strstr(last, "Ran 6 tests: passed: 2, failed: 2, skipped: 2"))
		TH_LOG("kunit.py: %s", last);
	unlink(path);
	free(cmd);
}

TEST_HARNESS_MAIN
