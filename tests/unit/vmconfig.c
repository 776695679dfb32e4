// SPDX-License-Identifier: GPL-2.0
/* vmconfigs: variables, errors, and the real VM definitions of this repo. */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "kprofile.h"
#include "util.h"
#include "vmconfig.h"

#include <stdlib.h>
#include <unistd.h>

static bool has(char **argv, const char *s)
{
	for (; *argv; argv++)
		if (!strcmp(*argv, s))
			return true;
	return false;
}

static bool has_sub(char **argv, const char *s)
{
	for (; *argv; argv++)
		if (strstr(*argv, s))
			return true;
	return false;
}

static const char *after(char **argv, const char *opt)
{
	for (; *argv && argv[1]; argv++)
		if (!strcmp(*argv, opt))
			return argv[1];
	return NULL;
}

FIXTURE(cfg) {
	struct vars v;
	struct vmconfig c;
	char tmp[64];
};

FIXTURE_SETUP(cfg)
{
	memset(&self->v, 0, sizeof(self->v));
	vars_set(&self->v, "ABI", "6.1.0-99-amd64");
	vars_set(&self->v, "TOP", "/top");
	vars_set(&self->v, "BUILD", "/top/build");
	vars_set(&self->v, "KBUILD", "/top/build");
	vars_set(&self->v, "KROOT", "");
	vars_set(&self->v, "KAPPEND", "");
	vars_set(&self->v, "TIMEOUT_SCALE", "1");
	vars_set(&self->v, "L2_ABI", "6.1.0-99-amd64");
	vars_set(&self->v, "L2_KBUILD", "/top/build");
	vars_set(&self->v, "L2_KROOT", "");
	vars_set(&self->v, "RUN_DIR", "/top/results/r/t");
	vars_set(&self->v, "STATE", "/run/kvmi");
	vars_set(&self->v, "JOB", "/top/tests/l1/x.sh");
	vars_set(&self->v, "JOB_TIMEOUT", "3600");
	vars_set(&self->v, "NAME", "vm");
	vars_set(&self->v, "QMP", "/tmp/l1.qmp");
	strcpy(self->tmp, "/tmp/kvmi-cfg-XXXXXX");
	close(mkstemp(self->tmp));
}

FIXTURE_TEARDOWN(cfg)
{
	vmconfig_free(&self->c);
	vars_free(&self->v);
	unlink(self->tmp);
}

static void put(const char *path, const char *s)
{
	write_file(path, s, strlen(s));
}

TEST_F(cfg, l1_definition)
{
	char **argv;

	ASSERT_EQ(0, vmconfig_load(&self->c, "vmconfigs/l1.json", &self->v))
		TH_LOG("%s", self->c.err);
	argv = vmconfig_qemu_argv(&self->c);
	ASSERT_NE(NULL, argv) TH_LOG("%s", self->c.err);
	EXPECT_STREQ("qemu-system-x86_64", argv[0]);
	EXPECT_STREQ("/boot/vmlinuz-6.1.0-99-amd64", after(argv, "-kernel"));
	EXPECT_STREQ("/top/build/initramfs/l1.cpio.gz", after(argv, "-initrd"));
	EXPECT_TRUE(has(argv, "tcg,thread=multi"));
	EXPECT_TRUE(has(argv, "max"));
	EXPECT_TRUE(has_sub(argv, "path=/top/results/r/t,mount_tag=results"));
	EXPECT_STREQ("unix:/tmp/l1.qmp,server=on,wait=off", after(argv, "-qmp"));
	const char *cl = after(argv, "-append");

	ASSERT_NE(NULL, cl);
	EXPECT_NE(NULL, strstr(cl, "console=ttyS0"));
	EXPECT_NE(NULL, strstr(cl, "kvmi.job=/top/tests/l1/x.sh"));
	EXPECT_NE(NULL, strstr(cl, "kvmi.job_timeout=3600 "));
	strv_free(argv);
}

TEST_F(cfg, target_definition_uses_caller_vars)
{
	char **argv, **files;
	size_t n;

	ASSERT_EQ(0, vmconfig_load(&self->c, "vmconfigs/target.json", &self->v))
		TH_LOG("%s", self->c.err);
	argv = vmconfig_qemu_argv(&self->c);
	ASSERT_NE(NULL, argv) TH_LOG("%s", self->c.err);
	/* The pattern file is "${STATE}/pattern.bin": a caller's var. */
	EXPECT_TRUE(has_sub(argv, "file=/run/kvmi/pattern.bin,addr=0x8000000"));
	EXPECT_TRUE(has_sub(argv, "memory-backend-memfd,id=ram,size=256M,share=on"));
	EXPECT_TRUE(has_sub(argv, "addr=0x8000000"));
	EXPECT_STREQ("/top/results/r/t/vm-qemu-debug.log", after(argv, "-D"));
	EXPECT_NE(NULL, strstr(after(argv, "-append"), "memmap=2M$0x8000000"));
	EXPECT_NE(NULL, strstr(after(argv, "-append"), "kvmi.counter=0x8100000"));
	files = vmconfig_list(&self->c, "initramfs.files", &n);
	ASSERT_NE(NULL, files);
	EXPECT_LE(2, (int)n);
	EXPECT_STREQ("/top/build/bin/kvmi-agent:/bin/kvmi-agent", files[0]);
	strv_free(files);
	strv_free(argv);
}

TEST_F(cfg, introspector_definition)
{
	char **argv;

	ASSERT_EQ(0, vmconfig_load(&self->c, "vmconfigs/introspector.json", &self->v));
	argv = vmconfig_qemu_argv(&self->c);
	ASSERT_NE(NULL, argv) TH_LOG("%s", self->c.err);
	EXPECT_TRUE(has(argv, "kvm"));
	EXPECT_TRUE(has_sub(argv, "name=kvmi.ctl"));
	strv_free(argv);
}

TEST_F(cfg, unknown_variable_is_named)
{
	put(self->tmp, "{\"qemu\": \"q\", \"kernel\": \"${NOPE}/k\"}");
	ASSERT_EQ(0, vmconfig_load(&self->c, self->tmp, &self->v));
	EXPECT_EQ(NULL, vmconfig_str(&self->c, "kernel"));
	EXPECT_NE(NULL, strstr(self->c.err, "unknown variable ${NOPE}"));
	EXPECT_NE(NULL, strstr(self->c.err, self->tmp));
}

TEST_F(cfg, unused_unknown_variable_is_fine)
{
	put(self->tmp, "{\"vars\": {\"X\": \"${LATER}\"}, \"qemu\": \"q\"}");
	ASSERT_EQ(0, vmconfig_load(&self->c, self->tmp, &self->v));
	char *q = vmconfig_str(&self->c, "qemu");

	EXPECT_STREQ("q", q);
	free(q);
}

TEST_F(cfg, self_reference_is_refused)
{
	put(self->tmp, "{\"vars\": {\"A\": \"${A}x\"}, \"kernel\": \"${A}\"}");
	ASSERT_EQ(0, vmconfig_load(&self->c, self->tmp, &self->v));
	EXPECT_EQ(NULL, vmconfig_str(&self->c, "kernel"));
	EXPECT_NE(NULL, strstr(self->c.err, "too deep"));
}

TEST_F(cfg, file_vars_are_defaults_the_runners_win)
{
	char *q;

	put(self->tmp, "{\"vars\": {\"ABI\": \"file\", \"X\": \"x\"}, \"qemu\": \"${ABI}-${X}\"}");
	ASSERT_EQ(0, vmconfig_load(&self->c, self->tmp, &self->v));
	q = vmconfig_str(&self->c, "qemu");
	EXPECT_STREQ("6.1.0-99-amd64-x", q);
	free(q);
}

TEST_F(cfg, unknown_key_is_refused)
{
	put(self->tmp, "{\"qemu\": \"q\", \"kernal\": \"k\"}");
	EXPECT_EQ(-1, vmconfig_load(&self->c, self->tmp, &self->v));
	EXPECT_NE(NULL, strstr(self->c.err, "unknown key \"kernal\""));
	vmconfig_free(&self->c);
	put(self->tmp, "{\"initramfs\": {\"init\": \"i\", \"file\": []}}");
	EXPECT_EQ(-1, vmconfig_load(&self->c, self->tmp, &self->v));
	EXPECT_NE(NULL, strstr(self->c.err, "unknown key \"initramfs.file\""));
}

TEST_F(cfg, malformed_json)
{
	put(self->tmp, "{\"qemu\": ");
	EXPECT_EQ(-1, vmconfig_load(&self->c, self->tmp, &self->v));
	EXPECT_NE(NULL, strstr(self->c.err, self->tmp));
}

TEST_F(cfg, wrong_types)
{
	put(self->tmp, "{\"qemu\": 3, \"args\": \"notalist\"}");
	ASSERT_EQ(0, vmconfig_load(&self->c, self->tmp, &self->v));
	EXPECT_EQ(NULL, vmconfig_str(&self->c, "qemu"));
	EXPECT_NE(NULL, strstr(self->c.err, "expected a string"));
	EXPECT_EQ(NULL, vmconfig_list(&self->c, "args", NULL));
	EXPECT_NE(NULL, strstr(self->c.err, "expected an array"));
	EXPECT_EQ(NULL, vmconfig_str(&self->c, "missing.key"));
	EXPECT_NE(NULL, strstr(self->c.err, "missing \"missing.key\""));
}

TEST(subst_edge_cases)
{
	struct vars v = { 0 };
	char err[128];
	char *s;

	vars_set(&v, "A", "1");
	s = vars_subst(&v, "x${A}y$z${A}", err, sizeof(err));
	EXPECT_STREQ("x1y$z1", s);
	free(s);
	EXPECT_EQ(NULL, vars_subst(&v, "${A", err, sizeof(err)));
	EXPECT_EQ(NULL, vars_subst(&v, "${}", err, sizeof(err)));
	vars_free(&v);
}

/* A kernel's profile (kprofile.h): into l1.json, and refused when wrong. */
TEST_F(cfg, kernel_profile_into_l1)
{
	struct kprofile p;
	char err[256], **argv;
	const char *cl;

	put(self->tmp, "{ \"cmdline\": \"acpi=noirq\", \"timeout_scale\": 4,"
		       "  \"vars\": { \"L1_MEM\": \"4096\" } }");
	ASSERT_EQ(0, kprofile_load(&p, self->tmp, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(4, p.timeout_scale);
	EXPECT_STREQ("acpi=noirq", p.cmdline);
	vars_set(&self->v, "KROOT", "/cache/root");
	vars_set(&self->v, "ABI", "6.1.192-kvmi-debug");
	vars_set(&self->v, "KAPPEND", p.cmdline);
	kprofile_vars(&p, &self->v);
	ASSERT_EQ(0, vmconfig_load(&self->c, "vmconfigs/l1.json", &self->v))
		TH_LOG("%s", self->c.err);
	argv = vmconfig_qemu_argv(&self->c);
	ASSERT_NE(NULL, argv) TH_LOG("%s", self->c.err);
	EXPECT_STREQ("/cache/root/boot/vmlinuz-6.1.192-kvmi-debug", after(argv, "-kernel"));
	EXPECT_STREQ("4096", after(argv, "-m"));
	cl = after(argv, "-append");
	ASSERT_NE(NULL, cl);
	EXPECT_NE(NULL, strstr(cl, " acpi=noirq"));
	EXPECT_NE(NULL, strstr(cl, "kvmi.l2_abi=6.1.0-99-amd64"));
	EXPECT_NE(NULL, strstr(cl, "kvmi.l2_kbuild=/top/build "));
	strv_free(argv);
}

/* An L2 VM boots its kernel's vmlinux, image and modules: KBUILD's. */
TEST_F(cfg, l2_kernel_from_kbuild)
{
	char **argv;

	vars_set(&self->v, "KBUILD", "/top/build/kernel/6.1.192-kvmi-l2debug");
	ASSERT_EQ(0, vmconfig_load(&self->c, "vmconfigs/introspector.json", &self->v))
		TH_LOG("%s", self->c.err);
	argv = vmconfig_qemu_argv(&self->c);
	ASSERT_NE(NULL, argv) TH_LOG("%s", self->c.err);
	EXPECT_STREQ("/top/build/kernel/6.1.192-kvmi-l2debug/host/vmlinux", after(argv, "-kernel"));
	EXPECT_STREQ("/top/build/kernel/6.1.192-kvmi-l2debug/initramfs/introspector.cpio.gz",
		     after(argv, "-initrd"));
	strv_free(argv);
}

TEST_F(cfg, kernel_profile_absent_or_wrong)
{
	static const char *const bad[] = {
		"{ \"timeout_scale\": 0 }",
		"{ \"timeout_scale\": \"4\" }",
		"{ \"cmdline\": 1 }",
		"{ \"vars\": { \"MEM\": 512 } }",
		"{ \"cmd_line\": \"x\" }",
		"[]",
	};
	struct kprofile p;
	char err[256];

	ASSERT_EQ(0, kprofile_load(&p, "/nonexistent/kvmi.json", err, sizeof(err)));
	EXPECT_EQ(1, p.timeout_scale);
	EXPECT_EQ(0, p.nvars);
	EXPECT_STREQ("", p.cmdline);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(self->tmp, bad[i]);
		err[0] = '\0';
		EXPECT_EQ(-1, kprofile_load(&p, self->tmp, err, sizeof(err))) TH_LOG("%s", bad[i]);
		EXPECT_NE(NULL, strstr(err, self->tmp)) TH_LOG("%s: no path in \"%s\"", bad[i], err);
	}
}

TEST_HARNESS_MAIN
