// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-run: the suite file (tests/suite.json), the preflight checks, the
 * initramfs images, the run directory and the one-run-at-a-time lock.
 */
#define _GNU_SOURCE
#include "initramfs.h"
#include "kvmi_run.h"
#include "proc.h"
#include "util.h"
#include "vmconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RUN_LOCK "/tmp/kvmi-run.lock"

/* ---- suite ------------------------------------------------------------- */

/*
 * A retry that says L1 froze or reset under a test: any but the retry the
 * meta-tests reset_retry and freeze_retry cause on purpose. summary.json's
 * unexpected_retries counts these; 0 is a run with no freeze and no reset.
 */
bool retry_unexpected(const struct test *t, bool retried)
{
	return retried && !(t->expect && !strcmp(t->expect, "retry"));
}

int load_suite(struct env *env, struct json_object **root,
		      struct test **tests)
{
	char *path = xasprintf("%s/tests/suite.json", env->top);
	struct json_object *arr, *v;
	struct vars vars = { 0 };
	char err[256];
	int n;

	*root = json_object_from_file(path);
	if (!*root || !json_object_object_get_ex(*root, "tests", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		die("%s: %s", path, *root ? "no \"tests\" array" :
		    json_util_get_last_err());
	vars_set(&vars, "TOP", env->top);
	vars_set(&vars, "BUILD", env->build);
	n = json_object_array_length(arr);
	*tests = xmalloc(n * sizeof(**tests));
	for (int i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		struct test *t = &(*tests)[i];

		if (!json_object_object_get_ex(o, "name", &v))
			die("%s: test %d has no name", path, i);
		t->name = json_object_get_string(v);
		t->timeout = DEFAULT_TIMEOUT;
		if (json_object_object_get_ex(o, "timeout", &v))
			t->timeout = json_object_get_int(v);
		if (json_object_object_get_ex(o, "expect", &v))
			t->expect = json_object_get_string(v);
		if (json_object_object_get_ex(o, "match", &v))
			t->match = json_object_get_string(v);
		if (json_object_object_get_ex(o, "splat", &v))
			t->splat = json_object_get_string(v);
		if (json_object_object_get_ex(o, "within", &v))
			t->within = json_object_get_int(v);
		if (json_object_object_get_ex(o, "l1_append", &v))
			t->l1_append = json_object_get_string(v);
		t->needs_debug = false;
		if (json_object_object_get_ex(o, "kernel", &v)) {
			if (strcmp(json_object_get_string(v), "debug"))
				die("%s: %s: \"kernel\" can only be \"debug\"", path, t->name);
			t->needs_debug = true;
		}
		t->needs_l2_debug = false;
		if (json_object_object_get_ex(o, "l2_kernel", &v)) {
			if (strcmp(json_object_get_string(v), "debug"))
				die("%s: %s: \"l2_kernel\" can only be \"debug\"", path, t->name);
			t->needs_l2_debug = true;
		}
		t->vars = NULL;
		if (json_object_object_get_ex(o, "vars", &v)) {
			if (!json_object_is_type(v, json_type_object))
				die("%s: %s: \"vars\" is not an object", path, t->name);
			t->vars = v;
		}
		if (json_object_object_get_ex(o, "job", &v))
			t->job = json_object_get_string(v);
		if (json_object_object_get_ex(o, "l0", &v)) {
			int m = json_object_array_length(v);

			t->host = xmalloc((m + 1) * sizeof(char *));
			for (int j = 0; j < m; j++) {
				const char *s = json_object_get_string(
					json_object_array_get_idx(v, j));

				t->host[j] = vars_subst(&vars, s, err, sizeof(err));
				if (!t->host[j])
					die("%s: %s: %s", path, t->name, err);
			}
		}
		if (!t->job == !t->host)
			die("%s: %s needs exactly one of \"job\" or \"l0\"",
			    path, t->name);
	}
	vars_free(&vars);
	free(path);
	return n;
}

/* ---- preflight --------------------------------------------------------- */

/* The release installed under ROOT (of --opt): its one lib/modules/REL. */
static void kernel_release(const char *opt, const char *root, char *rel, size_t relsz)
{
	char *dir = xasprintf("%s/lib/modules", root);
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		die("%s %s: no %s (make debug-kernel installs one)", opt, root, dir);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		strfmt(rel, relsz, "%s", e->d_name);
		n++;
	}
	closedir(d);
	if (n != 1)
		die("%s %s: %s holds %d kernel releases, not 1", opt, root, dir, n);
	free(dir);
}

void preflight(struct env *env)
{
	char *cmd = xasprintf("%s/harness/l0/kernel-abi", env->top), *p;
	FILE *f = popen(cmd, "r");

	/* Debian's kernel: L2's always, L1's unless --kernel. */
	if (!f || !fgets(env->l2_abi, sizeof(env->l2_abi), f) || pclose(f))
		exit(2);	/* kernel-abi explained why */
	env->l2_abi[strcspn(env->l2_abi, "\n")] = '\0';
	free(cmd);
	if (env->kroot[0]) {
		char err[512];

		kernel_release("--kernel", env->kroot, env->abi, sizeof(env->abi));
		strfmt(env->kbuild, sizeof(env->kbuild), "%s/kernel/%s",
		       env->build, env->abi);
		p = xasprintf("%s/boot/kvmi-%s.json", env->kroot, env->abi);
		if (kprofile_load(&env->kp, p, err, sizeof(err)))
			die("--kernel: %s", err);
		free(p);
	} else {
		env->kp.timeout_scale = 1;
		strfmt(env->abi, sizeof(env->abi), "%s", env->l2_abi);
		strfmt(env->kbuild, sizeof(env->kbuild), "%s", env->build);
	}
	if (env->l2root[0]) {
		kernel_release("--l2-kernel", env->l2root, env->l2dbg_abi,
			       sizeof(env->l2dbg_abi));
		strfmt(env->l2dbg_kbuild, sizeof(env->l2dbg_kbuild), "%s/kernel/%s",
		       env->build, env->l2dbg_abi);
		for (const char *m = "host/vmlinux\0guest/kvmmem.ko\0test/kvmi_hctest.ko\0";
		     *m; m += strlen(m) + 1) {
			p = xasprintf("%s/%s", env->l2dbg_kbuild, m);
			if (access(p, R_OK))
				die("%s missing: run make debug-l2-modules", p);
			free(p);
		}
	}
	if (!in_path("qemu-system-x86_64"))
		die("qemu-system-x86_64 not found: install qemu-system-x86 (make deps)");
	if (!in_path("cpio"))
		die("cpio not found: install cpio (make deps)");
	for (int l2 = 0; l2 <= 1; l2++) {
		p = l2 ? xasprintf("/boot/vmlinuz-%s", env->l2_abi) :
			 xasprintf("%s/boot/vmlinuz-%s", env->kroot, env->abi);
		if (access(p, R_OK))
			die("%s missing: install linux-image-%s (make deps)", p,
			    l2 ? env->l2_abi : env->abi);
		free(p);
	}
	for (const char *m = "host/kvm.ko\0host/kvm-amd.ko\0test/kvmi_pfnleak.ko\0";
	     *m; m += strlen(m) + 1) {
		p = xasprintf("%s/%s", env->kbuild, m);
		if (access(p, R_OK))
			die("%s missing: run make%s", p, env->kroot[0] ?
			    " debug-modules (or ksrc-modules KSRC=DIR)" : "");
		free(p);
	}
	for (const char *m = "test/kvmi_hctest.ko\0guest/kvmmem.ko\0bin/kvmi-vm\0";
	     *m; m += strlen(m) + 1) {
		p = xasprintf("%s/%s", env->build, m);
		if (access(p, R_OK))
			die("%s missing: run make", p);
		free(p);
	}
}

/*
 * The variables a vmconfig has for the kernel it boots: L1's (--kernel's,
 * or Debian's), or an L2 VM's: --l2-kernel's, for every test, when it is
 * given (the L1 debug kernel is too slow to boot in L2 under nested TCG,
 * README), or Debian's. L1 hands L2's on to kvmi-vm.
 */
void kernel_vars(const struct env *env, struct vars *vars, bool l1)
{
	const char *l2abi = env->l2_abi, *l2kbuild = env->build;
	char scale[16];

	if (env->l2root[0]) {
		l2abi = env->l2dbg_abi;
		l2kbuild = env->l2dbg_kbuild;
	}
	snprintf(scale, sizeof(scale), "%d", env->kp.timeout_scale);
	vars_set(vars, "ABI", l1 ? env->abi : l2abi);
	vars_set(vars, "KROOT", l1 ? env->kroot : "");
	vars_set(vars, "KBUILD", l1 ? env->kbuild : l2kbuild);
	vars_set(vars, "KAPPEND", l1 ? env->kp.cmdline : "");
	vars_set(vars, "L2_ABI", l2abi);
	vars_set(vars, "L2_KBUILD", l2kbuild);
	vars_set(vars, "L2_KROOT", env->l2root);
	vars_set(vars, "TIMEOUT_SCALE", scale);
	if (l1)
		kprofile_vars(&env->kp, vars);
}

/* One vmconfig's image, for L1's kernel or an L2 VM's (see kernel_vars). */
static void build_image(struct env *env, const char *path, const char *name,
			bool l1)
{
	char *out, *dir, *moddir, err[512];
	struct vars vars = { 0 };
	struct vmconfig c;
	struct stat st;
	int64_t t0 = now_ms();

	bool l2_debug = !l1 && env->l2root[0];

	kernel_vars(env, &vars, l1);
	dir = xasprintf("%s/initramfs", vars_get(&vars, "KBUILD"));
	moddir = l1 ? xasprintf("%s/lib/modules/%s", env->kroot, env->abi) :
		 l2_debug ? xasprintf("%s/lib/modules/%s", env->l2root, env->l2dbg_abi) :
		 xasprintf("/lib/modules/%s", env->l2_abi);
	mkdir_p(dir);
	vars_set(&vars, "TOP", env->top);
	vars_set(&vars, "BUILD", env->build);
	out = xasprintf("%s/%s.cpio.gz", dir, name);
	if (vmconfig_load(&c, path, &vars))
		die("%s", c.err);
	if (initramfs_build(&c, moddir, out, err, sizeof(err)))
		die("initramfs %s: %s", name, err);
	stat(out, &st);
	ktap_diag(&env->k, "initramfs %s%s: %.1f MiB in %.1fs", name,
		  l2_debug ? " (L2 debug kernel)" : "", st.st_size / 1048576.0,
		  (now_ms() - t0) / 1000.0);
	vmconfig_free(&c);
	vars_free(&vars);
	free(moddir);
	free(dir);
	free(out);
}

/*
 * An initramfs per vmconfig (vmconfigs/NAME.json: initramfs/NAME.cpio.gz),
 * for the kernel that boots it: l1.json's L1's, the others L2's (Debian's
 * kernel, or --l2-kernel's).
 */
void build_initramfs(struct env *env)
{
	char *pat = xasprintf("%s/vmconfigs/*.json", env->top);
	glob_t g;

	if (glob(pat, 0, NULL, &g))
		die("%s: no vmconfig", pat);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *name = xstrdup(strrchr(g.gl_pathv[i], '/') + 1);
		bool l1;

		*strrchr(name, '.') = '\0';
		l1 = !strcmp(name, "l1");
		build_image(env, g.gl_pathv[i], name, l1);
		free(name);
	}
	globfree(&g);
	free(pat);
}

void make_run_dir(struct env *env)
{
	char id[64], *link, *base = env->results[0] ? xstrdup(env->results) :
		xasprintf("%s/results", env->top);
	time_t now = time(NULL);

	strftime(id, sizeof(id), "%Y%m%d-%H%M%S", localtime(&now));
	for (int i = 0; ; i++) {
		if (i)
			snprintf(env->run_dir, sizeof(env->run_dir), "%s/%s-%d", base, id, i);
		else
			snprintf(env->run_dir, sizeof(env->run_dir), "%s/%s", base, id);
		if (mkdir_p(base) == 0 && mkdir(env->run_dir, 0755) == 0)
			break;
		if (errno != EEXIST)
			die("cannot create %s: %s", env->run_dir, strerror(errno));
	}
	link = xasprintf("%s/latest", base);
	unlink(link);
	if (symlink(strrchr(env->run_dir, '/') + 1, link))
		perror("kvmi: results/latest");
	free(link);
	free(base);
}

/* L1's QEMU (as vmconfigs/l1.json and --set make it), its version, vCPUs and tick. */
void stack_info(struct env *env)
{
	char *cfgp = xasprintf("%s/vmconfigs/l1.json", env->top);
	char *out = xasprintf("%s/qemu-version.txt", env->run_dir);
	struct proc_opts po = { .out_path = out, .truncate = true,
				.die_with_parent = true };
	struct vars vars = { 0 };
	struct vmconfig c;
	struct proc p;
	char *qemu, *text;
	int status;

	for (size_t i = 0; env->set && i < env->set->n; i++)
		vars_set(&vars, env->set->key[i], env->set->val[i]);
	kernel_vars(env, &vars, true);
	if (vmconfig_load(&c, cfgp, &vars))
		die("%s", c.err);
	qemu = vmconfig_str(&c, "qemu");
	if (!qemu)
		die("%s", c.err);
	strfmt(env->l1_qemu, sizeof(env->l1_qemu), "%s", qemu);
	strfmt(env->l1_smp, sizeof(env->l1_smp), "%s",
	       vars_get(&c.vars, "L1_SMP") ? vars_get(&c.vars, "L1_SMP") : "?");
	strfmt(env->l1_tick, sizeof(env->l1_tick), "%s",
	       vars_get(&c.vars, "L1_TICK") ? vars_get(&c.vars, "L1_TICK") : "");
	if (!proc_start(&p, (char *[]){ qemu, "--version", NULL }, &po) &&
	    !proc_wait_until(&p, now_ms() + 30000, &status) &&
	    (text = read_file(out, NULL))) {
		/* "QEMU emulator version 7.2.22 (Debian ...)" */
		strfmt(env->l1_qemu_version, sizeof(env->l1_qemu_version), "%s",
		       strncmp(text, "QEMU emulator version ", 22) ? text : text + 22);
		env->l1_qemu_version[strcspn(env->l1_qemu_version, "\n")] = '\0';
		free(text);
	}
	unlink(out);
	free(qemu);
	vmconfig_free(&c);
	vars_free(&vars);
	free(cfgp);
	free(out);
}

/* QEMU under TCG is CPU-bound: one run at a time on this machine. */
void take_lock(void)
{
	int fd = open(RUN_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0666);

	if (fd < 0)
		die("cannot open %s: %s", RUN_LOCK, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		fprintf(stderr, "kvmi: another kvmi-run holds %s; waiting\n", RUN_LOCK);
		if (flock(fd, LOCK_EX))
			die("flock %s: %s", RUN_LOCK, strerror(errno));
	}
}

