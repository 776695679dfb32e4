// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi_host_test: the host handler driven by a VMM of our own in L1, built
 * on KVM's selftest library from linux-source-6.1 (tools/testing/selftests/
 * kvm, as built into build/kvm-selftests). No L2 boot: the target is a VM
 * in a child process whose RAM is a memfd filled with the known pattern
 * (harness/lib/pattern.h); the introspector is a VM in the test process,
 * whose vCPUs make the real hypercalls 32 and 33 into our kvm.ko. The VMM
 * the host handler works on is this process, so each test checks what a
 * VMM sees: its own address space, byte for byte, and the host counters.
 *
 * It runs every test, each in its own process (kselftest harness, KTAP);
 * KVMI_HOST_TEST_ONLY=A,B in the environment runs only tests A and B
 * (their names without the fixture's), KVMI_HOST_TEST_SKIP=A,B all but
 * those; the others are reported as skipped.
 * Run as root in L1 with our modules loaded (/dev/kvmi), no L2 VM up:
 * the host counters are global and each test expects them at zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"
#include "kselftest_harness.h"
#include <linux/kvm_para.h>
#include <uapi/kvmi.h>
#include "pattern.h"

#define PAGE		4096UL
/* The target: one memslot at gpa 0, backed by a memfd. */
#define TARGET_PAGES	512
#define TARGET_SIZE	(TARGET_PAGES * PAGE)
/* The introspector's pages to map over: their own memslot, identity mapped. */
#define LOCAL_SLOT	1
#define LOCAL_GPA	0x10000000UL
#define LOCAL_PAGES	64
/* A mapping window: a memslot of its own on a memfd, as QEMU's ivshmem BAR. */
#define WINDOW_SLOT	2
#define WINDOW_GPA	0x20000000UL
#define WINDOW_PAGES	512
#define NO_ERR		0
/* Not hypercalls: the guest reads or writes a word at a0 (a gva). */
#define GUEST_READ	(~0ULL)
#define GUEST_WRITE	(~1ULL)

/* ---- the guest side: one hypercall per exit, or a role in the race ---- */

struct hc_cmd {
	uint64_t nr, a0, a1, a2;
};

enum role { ROLE_CALL, ROLE_MAPPER, ROLE_UNMAPPER, ROLE_FORGER };

/* Shared with the guest: the ELF is loaded into it at the same addresses. */
static struct hc_cmd cmd;
static struct kvmi_map_mem_token guest_token;
static struct kvmi_map_mem_token forged_token;
static uint64_t race_target_gpa;
static int64_t race_map_refusal;	/* also expected from the mapper */
static uint64_t race_stop;
static uint64_t race_nokvmi;	/* control: a hypercall KVM does not know */
/* Written by the guest during a race, read live by the host. */
static uint64_t race_maps, race_unmaps, race_calls[3], race_bad[3];

static long guest_map(struct kvmi_map_mem_token *tok, uint64_t tgpa,
		      uint64_t lgpa)
{
	return kvm_hypercall(KVM_HC_MEM_MAP, (uint64_t)tok, tgpa, lgpa, 0);
}

static long guest_unmap(uint64_t lgpa)
{
	return kvm_hypercall(KVM_HC_MEM_UNMAP, lgpa, 0, 0, 0);
}

/* No hypercall of ours, nor of KVM's: KVM answers -KVM_ENOSYS. */
#define RACE_HC_UNKNOWN	0x7fff

/*
 * The race of review finding D1: the mapper maps one page until its token
 * is revoked, the unmapper unmaps that page all along, the forger contends
 * the host's token lock with a forged token. Any other result is counted.
 */
static void guest_race(enum role role)
{
	volatile uint64_t *stop = &race_stop;
	long r;

	for (;;) {
		if (race_nokvmi) {
			r = kvm_hypercall(RACE_HC_UNKNOWN, 0, 0, 0, 0);
			if (r != -KVM_ENOSYS)
				race_bad[role - ROLE_MAPPER] = r;
		} else switch (role) {
		case ROLE_MAPPER:
			r = guest_map(&guest_token, race_target_gpa, LOCAL_GPA);
			if (r == -EKEYREVOKED)
				return;
			if (!r)
				__atomic_fetch_add(&race_maps, 1, __ATOMIC_RELAXED);
			else if (r != -EALREADY && r != race_map_refusal)
				race_bad[0] = r;
			break;
		case ROLE_UNMAPPER:
			r = guest_unmap(LOCAL_GPA);
			if (!r)
				race_unmaps++;
			else if (r != -ENOENT)
				race_bad[1] = r;
			break;
		default:
			r = guest_map(&forged_token, race_target_gpa,
				      LOCAL_GPA + PAGE);
			if (r != -EACCES)
				race_bad[2] = r;
			break;
		}
		__atomic_fetch_add(&race_calls[role - ROLE_MAPPER], 1,
				   __ATOMIC_RELAXED);
		/* The mapper's end is its token's revocation, but in the control. */
		if ((role != ROLE_MAPPER || race_nokvmi) && *stop)
			return;
	}
}

/*
 * Any exception in the guest is a failure: say which, where, with its
 * error code and CR2, rather than triple-fault without a trace.
 */
#define GUEST_EXCEPTION	0xe8ce7100ULL

static void guest_exception(struct ex_regs *regs)
{
	uint64_t cr2;

	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	GUEST_SYNC_ARGS(GUEST_EXCEPTION, regs->vector, regs->rip,
			regs->error_code, cr2);
}

static void guest_code(uint64_t role)
{
	volatile struct hc_cmd *c = &cmd;

	if (role != ROLE_CALL) {
		guest_race(role);
		GUEST_DONE();
	}
	for (;;) {
		if (c->nr == GUEST_READ)
			GUEST_SYNC(*(volatile uint64_t *)c->a0);
		else if (c->nr == GUEST_WRITE)
			GUEST_SYNC(*(volatile uint64_t *)c->a0 = c->a1);
		else
			GUEST_SYNC(kvm_hypercall(c->nr, c->a0, c->a1, c->a2, 0));
	}
}

/* ---- the host side ---- */

/* The guest's report of an exception, if uc is one. */
static bool guest_exception_report(unsigned int vcpu_id, struct ucall *uc)
{
	if (uc->args[1] != GUEST_EXCEPTION)
		return false;
	printf("# vCPU %u: guest exception %lu at rip %#lx, error code %#lx, cr2 %#lx\n",
	       vcpu_id, uc->args[2], uc->args[3], uc->args[4], uc->args[5]);
	return true;
}

/* /dev/kvmi, opened once per test process. */
static int kvmi_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open("/dev/kvmi", O_RDWR | O_CLOEXEC);
	TEST_ASSERT(fd >= 0, "/dev/kvmi: %s (are our modules loaded?)",
		    strerror(errno));
	return fd;
}

static struct kvmi_stats host_stats(void)
{
	struct kvmi_stats s;

	TEST_ASSERT(!ioctl(kvmi_fd(), KVMI_GET_STATS, &s),
		    "KVMI_GET_STATS: %s", strerror(errno));
	return s;
}

/* The target VM: a child process, alive until the returned fd is closed. */
struct target {
	pid_t pid;
	int ram_fd;
	int hold;		/* the child exits when this closes */
	uint8_t *ram;		/* our own view of the target's RAM */
};

static void target_child(int ram_fd, int ready, int hold)
{
	struct kvm_vm *vm;
	void *ram;
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	ram = mmap(NULL, TARGET_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   ram_fd, 0);
	TEST_ASSERT(ram != MAP_FAILED, "target mmap: %s", strerror(errno));
	vm = vm_create_barebones();
	vm_set_user_memory_region(vm, 0, 0, 0, TARGET_SIZE, ram);
	TEST_ASSERT(write(ready, "r", 1) == 1, "target ready");
	while (read(hold, &c, 1) > 0)
		;
	kvm_vm_free(vm);
	_exit(0);
}

static void target_start(struct target *t)
{
	int ready[2], hold[2];
	uint64_t *w;
	size_t i;
	char c;

	t->ram_fd = memfd_create("kvmi-target", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	TEST_ASSERT(t->ram_fd >= 0, "memfd_create: %s", strerror(errno));
	TEST_ASSERT(!ftruncate(t->ram_fd, TARGET_SIZE), "ftruncate");
	t->ram = mmap(NULL, TARGET_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      t->ram_fd, 0);
	TEST_ASSERT(t->ram != MAP_FAILED, "mmap: %s", strerror(errno));
	w = (uint64_t *)t->ram;
	for (i = 0; i < TARGET_SIZE / 8; i++)
		w[i] = kvmi_pattern_word(i * 8);

	TEST_ASSERT(!pipe2(ready, O_CLOEXEC) && !pipe2(hold, O_CLOEXEC), "pipe");
	t->pid = fork();
	TEST_ASSERT(t->pid >= 0, "fork: %s", strerror(errno));
	if (!t->pid) {
		close(hold[1]);
		target_child(t->ram_fd, ready[1], hold[0]);
	}
	close(ready[1]);
	close(hold[0]);
	TEST_ASSERT(read(ready[0], &c, 1) == 1, "the target VM never came up");
	close(ready[0]);
	t->hold = hold[1];
}

/* The target VM is destroyed when this returns; a second call is a no-op. */
static void target_stop(struct target *t)
{
	int st;

	if (!t->pid)
		return;
	close(t->hold);
	TEST_ASSERT(waitpid(t->pid, &st, 0) == t->pid && WIFEXITED(st) &&
		    !WEXITSTATUS(st), "target VM process: status %#x", st);
	t->pid = 0;
	munmap(t->ram, TARGET_SIZE);
	close(t->ram_fd);
}

/* Issue a token for the target; introspector 0 = any. Returns -errno. */
static int token_issue(struct target *t, pid_t introspector, uint32_t ttl_s,
		       struct kvmi_token_issue *req)
{
	memset(req, 0, sizeof(*req));
	req->target_pid = t->pid;
	req->ram_fd = t->ram_fd;
	req->introspector_pid = introspector;
	req->ttl_s = ttl_s;
	return ioctl(kvmi_fd(), KVMI_TOKEN_ISSUE, req) ? -errno : 0;
}

static int token_revoke(uint32_t id)
{
	return ioctl(kvmi_fd(), KVMI_TOKEN_REVOKE, &id) ? -errno : 0;
}

/* The introspector VM: vCPU 0 makes one hypercall per call of hc(). */
struct intro {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu[3];
	uint8_t *local;		/* the hva of LOCAL_GPA */
};

/* The token the guest maps with. */
static void intro_set_token(struct intro *in,
			    const struct kvmi_map_mem_token *token)
{
	guest_token = *token;
	sync_global_to_guest(in->vm, guest_token);
}

static void intro_create(struct intro *in, unsigned int nr_vcpus,
			 const struct kvmi_map_mem_token *token)
{
	unsigned int i;

	in->vm = vm_create_with_vcpus(nr_vcpus, guest_code, in->vcpu);
	vm_init_descriptor_tables(in->vm);
	for (i = 0; i < nr_vcpus; i++)
		vcpu_init_descriptor_tables(in->vcpu[i]);
	for (i = 0; i < 32; i++)
		vm_install_exception_handler(in->vm, i, guest_exception);
	vm_userspace_mem_region_add(in->vm, VM_MEM_SRC_ANONYMOUS, LOCAL_GPA,
				    LOCAL_SLOT, LOCAL_PAGES, 0);
	virt_map(in->vm, LOCAL_GPA, LOCAL_GPA, LOCAL_PAGES);
	in->local = addr_gpa2hva(in->vm, LOCAL_GPA);
	for (i = 0; i < nr_vcpus; i++)
		vcpu_args_set(in->vcpu[i], 1, (uint64_t)ROLE_CALL);
	intro_set_token(in, token);
}

/* The hypercall the guest makes when its vCPU next runs. */
static void hc_post(struct intro *in, uint64_t nr, uint64_t a0, uint64_t a1,
		    uint64_t a2)
{
	cmd = (struct hc_cmd){ nr, a0, a1, a2 };
	sync_global_to_guest(in->vm, cmd);
}

/* After a KVM_RUN: the guest's answer, its hypercall's return value. */
static long hc_answer(struct intro *in)
{
	struct ucall uc;

	switch (get_ucall(in->vcpu[0], &uc)) {
	case UCALL_SYNC:
		TEST_ASSERT(!guest_exception_report(0, &uc),
			    "guest exception (above)");
		return (long)uc.args[1];
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("unexpected exit: %s",
			  exit_reason_str(in->vcpu[0]->run->exit_reason));
	}
	return 0;
}

static long hc(struct intro *in, uint64_t nr, uint64_t a0, uint64_t a1,
	       uint64_t a2)
{
	hc_post(in, nr, a0, a1, a2);
	vcpu_run(in->vcpu[0]);
	return hc_answer(in);
}

static long map(struct intro *in, uint64_t tgpa, uint64_t lgpa)
{
	return hc(in, KVM_HC_MEM_MAP, (uint64_t)&guest_token, tgpa, lgpa);
}

static long unmap(struct intro *in, uint64_t lgpa)
{
	return hc(in, KVM_HC_MEM_UNMAP, lgpa, 0, 0);
}

/* What the introspector's vCPU reads at lgpa (identity mapped). */
static uint64_t guest_read(struct intro *in, uint64_t lgpa)
{
	return hc(in, GUEST_READ, lgpa, 0, 0);
}

static void guest_write(struct intro *in, uint64_t lgpa, uint64_t val)
{
	hc(in, GUEST_WRITE, lgpa, val, 0);
}

/* Is addr mapped in this process at all? */
static bool mapped(void *addr)
{
	unsigned char vec;

	return !mincore(addr, PAGE, &vec);
}

/* Is name in the comma-separated list? */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (; list; list = strchr(list, ','), list = list ? list + 1 : NULL)
		if (!strncmp(list, name, n) && (list[n] == ',' || !list[n]))
			return true;
	return false;
}

/* In KVMI_HOST_TEST_ONLY (if set), and not in KVMI_HOST_TEST_SKIP? */
static bool selected(const char *name)
{
	const char *only = getenv("KVMI_HOST_TEST_ONLY");

	return (!only || listed(only, name)) &&
	       !listed(getenv("KVMI_HOST_TEST_SKIP"), name);
}

/* Each test expects the global host counters at zero, and leaves them so. */
static void host_idle_before(struct __test_metadata *_metadata)
{
	struct kvmi_stats s = host_stats();

	ASSERT_EQ(0, s.live_maps) TH_LOG("live maps before the test");
	ASSERT_EQ(0, s.live_tokens) TH_LOG("live tokens before the test");
}

static struct kvmi_stats host_idle_after(struct __test_metadata *_metadata)
{
	struct kvmi_stats s = host_stats();

	EXPECT_EQ(0, s.live_maps) TH_LOG("live maps left");
	EXPECT_EQ(0, s.live_tokens) TH_LOG("live tokens left");
	return s;
}

FIXTURE(pair) {
	struct target t;
	struct intro in;
	struct kvmi_token_issue tok;
};

FIXTURE_SETUP(pair)
{
	if (!selected(_metadata->name))
		SKIP(return, "not selected (KVMI_HOST_TEST_ONLY, _SKIP)");
	host_idle_before(_metadata);
	target_start(&self->t);
	ASSERT_EQ(NO_ERR, token_issue(&self->t, 0, 0, &self->tok));
	ASSERT_EQ(1, self->tok.nr_ranges);
	intro_create(&self->in, 1, &self->tok.token);
}

FIXTURE_TEARDOWN(pair)
{
	if (_metadata->skip)
		return;
	if (self->in.vm)
		kvm_vm_free(self->in.vm);
	token_revoke(self->tok.id);
	target_stop(&self->t);
	EXPECT_EQ(0, host_idle_after(_metadata).retained) TH_LOG("retained pages left");
}

/* The target's page, byte for byte, through the mapping; gone after unmap. */
TEST_F(pair, map_shows_target_bytes_unmap_removes_them)
{
	const uint64_t tgpa = 37 * PAGE, lgpa = LOCAL_GPA + 3 * PAGE;
	uint8_t *hva = self->in.local + 3 * PAGE;
	uint64_t *tw = (uint64_t *)(self->t.ram + tgpa);
	uint64_t *w = (uint64_t *)hva;
	struct kvmi_stats s;
	size_t i;

	if (_metadata->skip)
		return;

	/* The guest has touched the page: KVM maps the old one now. */
	guest_write(&self->in, lgpa + 16, 0xa5a5);
	ASSERT_EQ(0xa5a5, guest_read(&self->in, lgpa + 16));
	ASSERT_EQ(NO_ERR, map(&self->in, tgpa, lgpa));
	ASSERT_EQ(0, memcmp(hva, self->t.ram + tgpa, PAGE));
	for (i = 0; i < PAGE / 8; i++)
		ASSERT_EQ(kvmi_pattern_word(tgpa + i * 8),
			  guest_read(&self->in, lgpa + i * 8))
			TH_LOG("the introspector's word %zu", i);
	s = host_stats();
	ASSERT_EQ(1, s.live_maps);
	/* Writes through the mapping reach the target, from either side. */
	guest_write(&self->in, lgpa + 40, 0x1122334455667788ULL);
	ASSERT_EQ(0x1122334455667788ULL, tw[5]);
	tw[6] = 0x99;
	ASSERT_EQ(0x99, guest_read(&self->in, lgpa + 48));
	tw[5] = kvmi_pattern_word(tgpa + 40);
	tw[6] = kvmi_pattern_word(tgpa + 48);

	ASSERT_EQ(NO_ERR, unmap(&self->in, lgpa));
	for (i = 0; i < PAGE / 8; i++) {
		ASSERT_EQ(0, w[i]) TH_LOG("VMM word %zu after unmap", i);
		ASSERT_EQ(0, guest_read(&self->in, lgpa + i * 8))
			TH_LOG("introspector word %zu after unmap", i);
	}
	guest_write(&self->in, lgpa, 1);
	ASSERT_EQ(1, w[0]);
	for (i = 0; i < PAGE / 8; i++)
		ASSERT_EQ(kvmi_pattern_word(tgpa + i * 8), tw[i])
			TH_LOG("target word %zu after unmap", i);
	ASSERT_EQ(-ENOENT, unmap(&self->in, lgpa));
	s = host_stats();
	ASSERT_EQ(0, s.live_maps);
}

/* Every documented refusal, and nothing changes in the VMM on any. */
TEST_F(pair, refusals_are_clean)
{
	const uint64_t lgpa = LOCAL_GPA + PAGE;
	uint64_t *w = (uint64_t *)(self->in.local + PAGE);

	if (_metadata->skip)
		return;
	w[0] = 0x5a5a;
	ASSERT_EQ(-EINVAL, map(&self->in, PAGE + 8, lgpa));
	ASSERT_EQ(-EINVAL, map(&self->in, PAGE, lgpa + 8));
	ASSERT_EQ(-ERANGE, map(&self->in, TARGET_SIZE, lgpa));
	ASSERT_EQ(-ENXIO, map(&self->in, PAGE, LOCAL_GPA + LOCAL_PAGES * PAGE));
	ASSERT_EQ(-EFAULT, hc(&self->in, KVM_HC_MEM_MAP, 0, PAGE, lgpa));
	ASSERT_EQ(-EACCES, hc(&self->in, KVM_HC_MEM_MAP,
			      (uint64_t)&forged_token, PAGE, lgpa));
	ASSERT_EQ(-ENOENT, unmap(&self->in, lgpa));
	ASSERT_EQ(0x5a5a, w[0]);
	ASSERT_EQ(NO_ERR, map(&self->in, PAGE, lgpa));
	ASSERT_EQ(-EALREADY, map(&self->in, 2 * PAGE, lgpa));
	ASSERT_EQ(kvmi_pattern_word(PAGE), w[0]);
	ASSERT_EQ(NO_ERR, token_revoke(self->tok.id));
	ASSERT_EQ(-EKEYREVOKED, map(&self->in, PAGE, LOCAL_GPA));
	ASSERT_EQ(NO_ERR, unmap(&self->in, lgpa));
}

/*
 * Review D7: the target mapping in the VMM cannot be grown or duplicated
 * with mremap() to reach the rest of the target's RAM file, and a fork()ed
 * child of the VMM does not inherit it.
 */
TEST_F(pair, target_mapping_cannot_grow_or_be_inherited)
{
	const uint64_t lgpa = LOCAL_GPA + 8 * PAGE;
	uint8_t *hva = self->in.local + 8 * PAGE;
	void *p;
	pid_t pid;
	int st;

	if (_metadata->skip)
		return;
	ASSERT_EQ(NO_ERR, map(&self->in, 100 * PAGE, lgpa));
	p = mremap(hva, PAGE, 2 * PAGE, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p) TH_LOG("grown to 2 pages at %p", p);
	p = mremap(hva, 0, PAGE, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p) TH_LOG("duplicated at %p", p);
	ASSERT_EQ(kvmi_pattern_word(100 * PAGE), *(uint64_t *)hva);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(mapped(hva) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("a fork()ed child has the target page");
	ASSERT_EQ(NO_ERR, unmap(&self->in, lgpa));
}

/*
 * Review D9: a token bound to an introspector binds that process, not a
 * pid number as some namespace sees it. The introspector runs as pid 1 of a
 * new pid namespace; L1 (this process) issues two tokens: one bound to the
 * introspector's pid as L1 sees it, which must map, and one bound to pid 1,
 * L1's init, which must not.
 */
static int ns_introspector(int in_fd)
{
	struct kvmi_map_mem_token mine, init;
	struct intro in = { 0 };
	long a, b;

	if (getpid() != 1 || read(in_fd, &mine, sizeof(mine)) != sizeof(mine) ||
	    read(in_fd, &init, sizeof(init)) != sizeof(init))
		return 4;
	intro_create(&in, 1, &mine);
	a = map(&in, PAGE, LOCAL_GPA);
	if (!a)
		unmap(&in, LOCAL_GPA);
	intro_set_token(&in, &init);
	b = map(&in, PAGE, LOCAL_GPA);
	if (!b)
		unmap(&in, LOCAL_GPA);
	printf("# token bound to its pid in L1: map %ld; bound to pid 1: map %ld\n",
	       a, b);
	kvm_vm_free(in.vm);
	return (a ? 1 : 0) | (b != -EPERM ? 2 : 0);
}

TEST_F(pair, binding_is_the_process_not_a_pid_number)
{
	struct kvmi_token_issue mine, init;
	int fds[2], st;
	pid_t pid;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, pipe(fds));
	ASSERT_EQ(0, unshare(CLONE_NEWPID));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(fds[1]);
		_exit(ns_introspector(fds[0]));
	}
	close(fds[0]);
	ASSERT_EQ(NO_ERR, token_issue(&self->t, pid, 0, &mine));
	ASSERT_EQ(NO_ERR, token_issue(&self->t, 1, 0, &init));
	ASSERT_EQ(sizeof(mine.token), write(fds[1], &mine.token, sizeof(mine.token)));
	ASSERT_EQ(sizeof(init.token), write(fds[1], &init.token, sizeof(init.token)));
	close(fds[1]);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	token_revoke(mine.id);
	token_revoke(init.id);
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_GT(4, WEXITSTATUS(st)) TH_LOG("the introspector is not pid 1 of its namespace");
	EXPECT_EQ(0, WEXITSTATUS(st) & 1)
		TH_LOG("a token bound to the introspector's own pid was refused");
	EXPECT_EQ(0, WEXITSTATUS(st) & 2)
		TH_LOG("a token bound to pid 1 was accepted from a pid namespace's pid 1");
}

/* How many VMAs this process has (lines of /proc/self/maps). */
static int vma_count(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int c, n = 0;

	TEST_ASSERT(f, "/proc/self/maps: %s", strerror(errno));
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* The VMA of this process that holds addr: its range and VmFlags line. */
static bool vma_of(void *addr, unsigned long *start, unsigned long *end,
		   char *flags, size_t len)
{
	unsigned long a = (unsigned long)addr, s, e;
	FILE *f = fopen("/proc/self/smaps", "r");
	bool in = false, found = false;
	char line[512];

	TEST_ASSERT(f, "/proc/self/smaps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		/* A VMA's first line; its fields' lines start with a name. */
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2) {
			in = a >= s && a < e;
			if (in) {
				*start = s;
				*end = e;
			}
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			strncpy(flags, line + 8, len - 1);
			flags[len - 1] = 0;
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

/*
 * The introspector maps into a window: a memslot backed by a memfd of its
 * VMM (this process), which is not its RAM, madvise()d as QEMU does its
 * RAM blocks; the token names the window's memfd, opened anew.
 */
FIXTURE(window) {
	struct target t;
	struct intro in;
	struct kvmi_token_issue_window tok;
	int window_fd;
	uint8_t *win;		/* the hva of WINDOW_GPA */
};

static int token_issue_window(struct target *t, int window_fd,
			      struct kvmi_token_issue_window *req)
{
	memset(req, 0, sizeof(*req));
	req->issue.target_pid = t->pid;
	req->issue.ram_fd = t->ram_fd;
	req->window_fd = window_fd;
	return ioctl(kvmi_fd(), KVMI_TOKEN_ISSUE_WINDOW, req) ? -errno : 0;
}

FIXTURE_SETUP(window)
{
	struct kvmi_map_mem_token none = { 0 };
	char path[64];

	if (!selected(_metadata->name))
		SKIP(return, "not selected (KVMI_HOST_TEST_ONLY, _SKIP)");
	host_idle_before(_metadata);
	target_start(&self->t);
	intro_create(&self->in, 1, &none);
	vm_userspace_mem_region_add(self->in.vm, VM_MEM_SRC_SHMEM, WINDOW_GPA,
				    WINDOW_SLOT, WINDOW_PAGES, 0);
	virt_map(self->in.vm, WINDOW_GPA, WINDOW_GPA, WINDOW_PAGES);
	self->win = addr_gpa2hva(self->in.vm, WINDOW_GPA);
	/*
	 * The token names the window by an open of its own, as an issuer
	 * outside the VMM does (/proc/PID/fd/N): not the VMM's struct file.
	 */
	snprintf(path, sizeof(path), "/proc/self/fd/%d",
		 memslot2region(self->in.vm, WINDOW_SLOT)->fd);
	self->window_fd = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->window_fd) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ(0, madvise(self->win, WINDOW_PAGES * PAGE, MADV_DONTFORK));
	ASSERT_EQ(NO_ERR, token_issue_window(&self->t, self->window_fd,
					     &self->tok));
	intro_set_token(&self->in, &self->tok.issue.token);
}

FIXTURE_TEARDOWN(window)
{
	/* Skipped before its setup, not by a test after it (fail_nth_sweeps). */
	if (_metadata->skip && !self->t.pid)
		return;
	if (self->in.vm)
		kvm_vm_free(self->in.vm);
	close(self->window_fd);
	token_revoke(self->tok.issue.id);
	target_stop(&self->t);
	host_idle_after(_metadata);
}

/* The window page's word i as the window's memfd holds it. */
static uint64_t window_file_word(int fd, uint64_t page, size_t i)
{
	uint64_t v;

	TEST_ASSERT(pread(fd, &v, 8, page * PAGE + i * 8) == 8, "pread: %s",
		    strerror(errno));
	return v;
}

/*
 * Review D6: unmap gives the window its own page back, as it was: what the
 * guest wrote there before the map reads back after it, from the guest, the
 * VMM and the window's file, and later writes reach the window's file.
 */
TEST_F(window, unmap_gives_back_the_window_page)
{
	const uint64_t tgpa = 21 * PAGE, lgpa = WINDOW_GPA + 5 * PAGE;
	uint64_t *w = (uint64_t *)(self->win + 5 * PAGE);
	size_t i;

	if (_metadata->skip)
		return;
	for (i = 0; i < PAGE / 8; i++)
		w[i] = 0x5157000000000000ULL | i;
	ASSERT_EQ(0x5157000000000000ULL, guest_read(&self->in, lgpa));
	ASSERT_EQ(NO_ERR, map(&self->in, tgpa, lgpa));
	ASSERT_EQ(0, memcmp(w, self->t.ram + tgpa, PAGE));
	ASSERT_EQ(kvmi_pattern_word(tgpa + 8), guest_read(&self->in, lgpa + 8));
	ASSERT_EQ(0x5157000000000000ULL | 8, window_file_word(self->window_fd, 5, 8))
		TH_LOG("the window's file changed under the map");
	ASSERT_EQ(NO_ERR, unmap(&self->in, lgpa));
	for (i = 0; i < PAGE / 8; i++) {
		ASSERT_EQ(0x5157000000000000ULL | i, w[i]) TH_LOG("VMM word %zu", i);
		ASSERT_EQ(0x5157000000000000ULL | i, guest_read(&self->in, lgpa + i * 8))
			TH_LOG("introspector word %zu after unmap", i);
	}
	guest_write(&self->in, lgpa + 16, 0x77);
	ASSERT_EQ(0x77, window_file_word(self->window_fd, 5, 2))
		TH_LOG("a write after unmap did not reach the window's file");
	for (i = 0; i < PAGE / 8; i++)
		ASSERT_EQ(kvmi_pattern_word(tgpa + i * 8),
			  ((uint64_t *)(self->t.ram + tgpa))[i])
			TH_LOG("target word %zu", i);
}

/* With a window named, a2 must be in it: not in the introspector's RAM. */
TEST_F(window, refuses_pages_outside_the_window)
{
	uint64_t *w = (uint64_t *)(self->in.local + PAGE);

	if (_metadata->skip)
		return;
	w[0] = 0x5a5a;
	ASSERT_EQ(-ENXIO, map(&self->in, PAGE, LOCAL_GPA + PAGE));
	ASSERT_EQ(0x5a5a, w[0]);
	ASSERT_EQ(0x5a5a, guest_read(&self->in, LOCAL_GPA + PAGE));
	ASSERT_EQ(-ENXIO, map(&self->in, PAGE, WINDOW_GPA + WINDOW_PAGES * PAGE));
	ASSERT_EQ(NO_ERR, map(&self->in, PAGE, WINDOW_GPA));
	ASSERT_EQ(-EALREADY, map(&self->in, 2 * PAGE, WINDOW_GPA));
	ASSERT_EQ(NO_ERR, unmap(&self->in, WINDOW_GPA));
}

/*
 * Review D5: after map/unmap cycles on 100 scattered window pages, the
 * window is one VMA again, with its flags (MADV_DONTFORK's "dc"), and the
 * VMM has as many VMAs as before.
 */
TEST_F(window, vmas_merge_back_after_scattered_cycles)
{
	int before, during = 0, i;
	unsigned long start = 0, end = 0;
	char flags[512];
	uint64_t page;

	if (_metadata->skip)
		return;
	before = vma_count();
	for (i = 0; i < 100; i++) {
		page = (i * 37 + 11) % WINDOW_PAGES;	/* scattered, distinct */
		ASSERT_EQ(NO_ERR, map(&self->in, (i % TARGET_PAGES) * PAGE,
				      WINDOW_GPA + page * PAGE));
		if (!i)
			during = vma_count();
		ASSERT_EQ(NO_ERR, unmap(&self->in, WINDOW_GPA + page * PAGE));
	}
	EXPECT_LT(before, during) TH_LOG("a map did not show in the VMAs at all");
	EXPECT_EQ(before, vma_count()) TH_LOG("VMAs after 100 cycles, %d before", before);
	ASSERT_TRUE(vma_of(self->win, &start, &end, flags, sizeof(flags)));
	EXPECT_LE(start, (unsigned long)self->win);
	EXPECT_GE(end, (unsigned long)self->win + WINDOW_PAGES * PAGE)
		TH_LOG("the window's first VMA ends at %#lx", end);
	EXPECT_NE(NULL, strstr(flags, " dc")) TH_LOG("VmFlags:%s", flags);
}

/*
 * Review M4: a window VMA with no flag of its own (no madvise(), as a VMM
 * that maps its window plainly) merges back too: mmap_region() merges a
 * restored VMA only if ->mmap() changed its flags.
 */
TEST_F(window, plain_window_vmas_merge_back)
{
	int before, i;
	uint64_t page;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, madvise(self->win, WINDOW_PAGES * PAGE, MADV_DOFORK));
	before = vma_count();
	for (i = 0; i < 20; i++) {
		page = (i * 41 + 3) % WINDOW_PAGES;
		ASSERT_EQ(NO_ERR, map(&self->in, (i % TARGET_PAGES) * PAGE,
				      WINDOW_GPA + page * PAGE));
		ASSERT_EQ(NO_ERR, unmap(&self->in, WINDOW_GPA + page * PAGE));
	}
	EXPECT_EQ(before, vma_count()) TH_LOG("VMAs after 20 cycles, %d before", before);
}

/*
 * Review D3: a map that fails after MAP_FIXED's munmap step (here the
 * target's memfd sealed F_SEAL_FUTURE_WRITE after the token was issued,
 * which shmem's ->mmap refuses) reports the error and leaves the window's
 * page in place, not a hole.
 */
TEST_F(window, failed_map_leaves_the_window_page)
{
	const uint64_t lgpa = WINDOW_GPA + 9 * PAGE;
	uint64_t *w = (uint64_t *)(self->win + 9 * PAGE);

	if (_metadata->skip)
		return;
	w[1] = 0xabcd;
	ASSERT_EQ(0, fcntl(self->t.ram_fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	ASSERT_EQ(-EPERM, map(&self->in, PAGE, lgpa));
	ASSERT_TRUE(mapped(w)) TH_LOG("a hole in the VMM at the window page");
	ASSERT_EQ(0xabcd, w[1]);
	ASSERT_EQ(0xabcd, guest_read(&self->in, lgpa + 8));
	ASSERT_EQ(-ENOENT, unmap(&self->in, lgpa));
	ASSERT_EQ(0, host_stats().live_maps);
}

/*
 * Review D4: if the VMM has put something of its own at a mapped page's
 * hva, unmap drops the map and leaves the VMM's page alone.
 */
TEST_F(window, unmap_leaves_a_page_the_vmm_replaced)
{
	const uint64_t lgpa = WINDOW_GPA + 12 * PAGE;
	uint64_t *w = (uint64_t *)(self->win + 12 * PAGE);
	void *p;

	if (_metadata->skip)
		return;
	ASSERT_EQ(NO_ERR, map(&self->in, 3 * PAGE, lgpa));
	p = mmap(w, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ((void *)w, p);
	w[0] = 0x0123456789abcdefULL;
	ASSERT_EQ(-ENOENT, unmap(&self->in, lgpa));
	ASSERT_EQ(0x0123456789abcdefULL, w[0]) TH_LOG("unmap overwrote the VMM's page");
	ASSERT_EQ(0, host_stats().live_maps);
	ASSERT_EQ(kvmi_pattern_word(3 * PAGE), ((uint64_t *)(self->t.ram + 3 * PAGE))[0]);
}

/*
 * Review D2's host half: one hypercall ends every map of the caller's VM,
 * as a kernel that has just booted makes it, and gives each window page
 * back as it was.
 */
TEST_F(window, unmap_all_ends_every_map)
{
	uint64_t *w = (uint64_t *)self->win;
	int i;

	if (_metadata->skip)
		return;
	for (i = 0; i < 5; i++) {
		w[i * 2 * PAGE / 8] = 0xa110 + i;
		ASSERT_EQ(NO_ERR, map(&self->in, (40 + i) * PAGE,
				      WINDOW_GPA + i * 2 * PAGE));
	}
	ASSERT_EQ(5, host_stats().live_maps);
	ASSERT_EQ(5, hc(&self->in, KVM_HC_MEM_UNMAP_ALL, 0, 0, 0));
	ASSERT_EQ(0, host_stats().live_maps);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0xa110 + i, guest_read(&self->in, WINDOW_GPA + i * 2 * PAGE))
			TH_LOG("window page %d after unmap-all", i * 2);
	ASSERT_EQ(0, hc(&self->in, KVM_HC_MEM_UNMAP_ALL, 0, 0, 0));
	ASSERT_EQ(-ENOENT, unmap(&self->in, WINDOW_GPA));
}

/*
 * A token without a window: a map that fails after munmap puts back what
 * unmap would, a zero page, not a hole, and reports the map's own error.
 */
TEST_F(pair, failed_map_puts_back_a_zero_page)
{
	const uint64_t lgpa = LOCAL_GPA + 9 * PAGE;
	uint64_t *w = (uint64_t *)(self->in.local + 9 * PAGE);

	if (_metadata->skip)
		return;
	w[3] = 0x4f4f;
	ASSERT_EQ(0, fcntl(self->t.ram_fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	ASSERT_EQ(-EPERM, map(&self->in, PAGE, lgpa));
	ASSERT_TRUE(mapped(w)) TH_LOG("a hole in the VMM at the local page");
	ASSERT_EQ(0, w[3]);
	ASSERT_EQ(0, guest_read(&self->in, lgpa + 24));
	ASSERT_EQ(0, host_stats().live_maps);
	ASSERT_EQ(-ENOENT, unmap(&self->in, lgpa));
}

/*
 * Review H2: maps and restores are of one 4 KiB page, which a hugetlbfs
 * file cannot give: neither the target's RAM nor a window may be one.
 */
TEST_F(window, refuses_hugetlbfs_files)
{
	struct kvmi_token_issue_window req;
	struct kvmi_token_issue legacy;
	int huge;

	if (_metadata->skip)
		return;
	huge = memfd_create("kvmi-huge", MFD_HUGETLB | MFD_CLOEXEC);
	ASSERT_LE(0, huge) TH_LOG("memfd_create(MFD_HUGETLB): %s", strerror(errno));
	ASSERT_EQ(-EOPNOTSUPP, token_issue_window(&self->t, huge, &req));
	memset(&legacy, 0, sizeof(legacy));
	legacy.target_pid = self->t.pid;
	legacy.ram_fd = huge;
	ASSERT_EQ(-EOPNOTSUPP, ioctl(kvmi_fd(), KVMI_TOKEN_ISSUE, &legacy) ? -errno : 0);
	close(huge);
	ASSERT_EQ(1, host_stats().live_tokens);
}

/* The "windows" line of the host's debugfs stats: restore files alive. */
static long host_windows(void)
{
	FILE *f = fopen("/sys/kernel/debug/kvmi/stats", "r");
	char line[128];
	long n = -1;

	TEST_ASSERT(f, "/sys/kernel/debug/kvmi/stats: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "windows %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * Review M2: a token that dies (revoked here) lets go of its window's file
 * at once, not when it is reaped; a map made through it holds the window
 * until it ends.
 */
TEST_F(window, dead_token_lets_go_of_its_window)
{
	struct kvmi_token_issue_window two;
	const uint64_t lgpa = WINDOW_GPA + 3 * PAGE;

	if (_metadata->skip)
		return;
	ASSERT_EQ(1, host_windows());
	ASSERT_EQ(NO_ERR, token_issue_window(&self->t, self->window_fd, &two));
	ASSERT_EQ(2, host_windows());
	ASSERT_EQ(NO_ERR, token_revoke(two.issue.id));
	ASSERT_EQ(1, host_windows()) TH_LOG("a revoked token holds its window");
	ASSERT_EQ(NO_ERR, map(&self->in, 4 * PAGE, lgpa));
	ASSERT_EQ(NO_ERR, token_revoke(self->tok.issue.id));
	ASSERT_EQ(1, host_windows()) TH_LOG("the map lost its window");
	ASSERT_EQ(NO_ERR, unmap(&self->in, lgpa));
	ASSERT_EQ(0, host_windows());
}

/*
 * Review D8, as an option: the maps of a token issued with
 * KVMI_WINDOW_END_WITH_TARGET end when the target VM is destroyed (the
 * window's own pages come back, nothing of the target is retained), while
 * a map made with a token without it is retained as before.
 */
TEST_F_TIMEOUT(window, maps_end_with_the_target, 120)
{
	struct kvmi_token_issue_window ending = {
		.issue = { .target_pid = self->t.pid, .ram_fd = self->t.ram_fd },
		.window_fd = self->window_fd,
		.flags = 2,
	};
	uint64_t *w = (uint64_t *)self->win;
	struct kvmi_stats s;
	int i, n;

	if (_metadata->skip)
		return;
	ASSERT_EQ(-EINVAL, ioctl(kvmi_fd(), KVMI_TOKEN_ISSUE_WINDOW, &ending) ? -errno : 0);
	ending.flags = KVMI_WINDOW_END_WITH_TARGET;
	ASSERT_EQ(0, ioctl(kvmi_fd(), KVMI_TOKEN_ISSUE_WINDOW, &ending) ? -errno : 0);
	intro_set_token(&self->in, &ending.issue.token);
	for (i = 0; i < 3; i++) {
		w[(20 + i) * PAGE / 8] = 0xe0d0 + i;
		ASSERT_EQ(NO_ERR, map(&self->in, (50 + i) * PAGE,
				      WINDOW_GPA + (20 + i) * PAGE));
	}
	intro_set_token(&self->in, &self->tok.issue.token);
	ASSERT_EQ(NO_ERR, map(&self->in, 60 * PAGE, WINDOW_GPA + 30 * PAGE));
	ASSERT_EQ(kvmi_pattern_word(50 * PAGE), w[20 * PAGE / 8]);
	ASSERT_EQ(4, host_stats().live_maps);
	target_stop(&self->t);
	/* The reaper runs after the target's destruction: wait for it, 60 s. */
	for (n = 0; n < 6000 && host_stats().live_maps != 1; n++)
		usleep(10000);
	s = host_stats();
	ASSERT_EQ(1, s.live_maps) TH_LOG("the ending token's maps are still live");
	ASSERT_EQ(1, s.retained);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0xe0d0 + i, w[(20 + i) * PAGE / 8]) TH_LOG("window page %d", 20 + i);
		ASSERT_EQ(0xe0d0 + i, guest_read(&self->in, WINDOW_GPA + (20 + i) * PAGE));
	}
	ASSERT_EQ(kvmi_pattern_word(60 * PAGE), w[30 * PAGE / 8]) TH_LOG("the retained map");
	ASSERT_EQ(-ENOENT, unmap(&self->in, WINDOW_GPA + 20 * PAGE));
	ASSERT_EQ(NO_ERR, unmap(&self->in, WINDOW_GPA + 30 * PAGE));
	s = host_stats();
	ASSERT_EQ(0, s.retained);
	ASSERT_EQ(0, host_windows());
	TH_LOG("the reaper ended 3 maps after %d ms", n * 10);
}

/*
 * Review H1: the guest turned its window's decode off (the memslot went)
 * while a map was live; the target's page is still in the VMM's window,
 * and unmap must put the window's page back, not drop the record.
 */
TEST_F(window, unmap_after_the_window_memslot_went)
{
	const uint64_t lgpa = WINDOW_GPA + 7 * PAGE;
	struct userspace_mem_region *r;
	struct kvm_userspace_memory_region gone;
	uint64_t *w = (uint64_t *)(self->win + 7 * PAGE);
	size_t i;

	/* Skipped in setup: no VM, no memslot to look up. */
	if (_metadata->skip)
		return;
	r = memslot2region(self->in.vm, WINDOW_SLOT);
	gone = r->region;
	for (i = 0; i < PAGE / 8; i++)
		w[i] = 0x6d51000000000000ULL | i;
	ASSERT_EQ(NO_ERR, map(&self->in, 8 * PAGE, lgpa));
	ASSERT_EQ(kvmi_pattern_word(8 * PAGE), w[0]);
	gone.memory_size = 0;
	vm_ioctl(self->in.vm, KVM_SET_USER_MEMORY_REGION, &gone);
	ASSERT_EQ(NO_ERR, unmap(&self->in, lgpa));
	ASSERT_EQ(0, host_stats().live_maps);
	for (i = 0; i < PAGE / 8; i++)
		ASSERT_EQ(0x6d51000000000000ULL | i, w[i])
			TH_LOG("window word %zu after unmap", i);
	ASSERT_EQ(0x6d51000000000000ULL | 2, window_file_word(self->window_fd, 7, 2));
	vm_ioctl(self->in.vm, KVM_SET_USER_MEMORY_REGION, &r->region);
	ASSERT_EQ(0x6d51000000000000ULL | 2, guest_read(&self->in, lgpa + 16));
}

/*
 * Review D1: map, unmap and token death racing on one page from three
 * vCPUs, round after round. The token is revoked once the mapper has some
 * maps, so maps are in flight as it dies; with the bug, an unmap could free
 * the token's target before the mapper had counted its map. L1 poisons the
 * target's slab cache (slub_debug), so a write to a freed target is a
 * kernel report; the counters must come back to zero.
 *
 * KVMI_RACE_NOMAP=1 makes it a control: the mapper asks for a target gpa
 * out of range (-ERANGE), so every lock and the token's death are raced
 * but no VMA ever changes. KVMI_RACE_NOKVMI=1 is the control with nothing
 * of ours: every vCPU makes a hypercall KVM does not know, in the same VM
 * lifecycle (3 vCPUs, a VM created and freed per round). Each round prints
 * its counts and time.
 */
#define RACE_ROUNDS	20
#define RACE_MAPS	64
/* A control round makes as many calls as a round of maps (~3500). */
#define RACE_CONTROL_CALLS	1200
#define RACE_BOUND_S	120

static pid_t vcpu_tids[3];
/* How each vCPU's run ended: its exit reason, or -1 while it runs. */
static int vcpu_ended[3];

/* Where each vCPU thread is: its state and kernel stack, from /proc. */
static void dump_vcpu_threads(void)
{
	char path[64], line[1024];
	unsigned int i;
	FILE *f;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", vcpu_tids[i]);
		f = fopen(path, "r");
		if (f && fgets(line, sizeof(line), f))
			printf("# vCPU %u (tid %d): %s", i, vcpu_tids[i], line);
		if (f)
			fclose(f);
		snprintf(path, sizeof(path), "/proc/self/task/%d/stack", vcpu_tids[i]);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			printf("#   %s", line);
		if (f)
			fclose(f);
	}
	fflush(stdout);
}

/*
 * Where a vCPU was when its run ended other than by the guest's own end.
 * Not after a KVM_EXIT_SHUTDOWN: SVM resets the vCPU on a shutdown
 * intercept, so its registers are the reset state. A guest exception its
 * handlers could deliver is reported by the guest itself (GUEST_EXCEPTION).
 */
static void report_vcpu_end(struct kvm_vcpu *vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (vcpu->run->exit_reason == KVM_EXIT_SHUTDOWN) {
		printf("# vCPU %u ended: exit SHUTDOWN (a triple fault: its exception handlers could not run)\n",
		       vcpu->id);
		return;
	}
	vcpu_regs_get(vcpu, &regs);
	vcpu_sregs_get(vcpu, &sregs);
	printf("# vCPU %u ended: exit %s, rip %#llx rsp %#llx rax %#llx cr2 %#llx cr3 %#llx\n",
	       vcpu->id, exit_reason_str(vcpu->run->exit_reason), regs.rip,
	       regs.rsp, regs.rax, sregs.cr2, sregs.cr3);
	fflush(stdout);
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct ucall uc;

	vcpu_tids[vcpu->id] = gettid();
	vcpu_run(vcpu);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	case UCALL_DONE:
		__atomic_store_n(&vcpu_ended[vcpu->id], 0, __ATOMIC_RELEASE);
		return NULL;
	case UCALL_SYNC:
		guest_exception_report(vcpu->id, &uc);
		break;
	}
	/* Not the guest's own end: a shutdown, an internal error... */
	report_vcpu_end(vcpu);
	__atomic_store_n(&vcpu_ended[vcpu->id], (int)vcpu->run->exit_reason,
			 __ATOMIC_RELEASE);
	return NULL;
}

static uint64_t load(uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/*
 * Join a vCPU thread within RACE_BOUND_S. If it does not end, say where
 * everything is before the test fails: whether each vCPU still makes
 * hypercalls (its count, twice, a second apart) and what it last got
 * wrong, each vCPU thread's kernel stack, and every blocked task in L1
 * (sysrq w, to the console).
 */
static bool join_bounded(pthread_t th, unsigned int round, const char *what,
			 uint64_t *calls, uint64_t *bad)
{
	struct timespec end;
	uint64_t before[3];
	unsigned int i;
	int fd;

	clock_gettime(CLOCK_REALTIME, &end);
	end.tv_sec += RACE_BOUND_S;
	if (!pthread_timedjoin_np(th, NULL, &end))
		return true;
	printf("# round %u: %s: no end in %d s\n", round, what, RACE_BOUND_S);
	for (i = 0; i < 3; i++)
		before[i] = load(&calls[i]);
	sleep(1);
	for (i = 0; i < 3; i++)
		printf("# vCPU %u: calls %lu then %lu a second later, last bad %ld, ended %d\n",
		       i, before[i], load(&calls[i]), (long)load(&bad[i]),
		       __atomic_load_n(&vcpu_ended[i], __ATOMIC_ACQUIRE));
	dump_vcpu_threads();
	fd = open("/proc/sysrq-trigger", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "w", 1) != 1)
			printf("# sysrq w: %s\n", strerror(errno));
		close(fd);
	}
	return false;
}

/* A vCPU that stopped before its time, with why; -1 if none. */
static int vcpu_gone(unsigned int *which)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (__atomic_load_n(&vcpu_ended[i], __ATOMIC_ACQUIRE) > 0) {
			*which = i;
			return vcpu_ended[i];
		}
	return -1;
}

/*
 * ---- fail-nth: syzkaller's fault injection over every operation ----
 *
 * Documentation/fault-injection/fault-injection.rst: after "N" is written
 * to /proc/thread-self/fail-nth, the N-th fault point (a slab or page
 * allocation, with the knobs the fail_nth job sets) this thread reaches
 * fails, once; reading it back gives 0 if it fired, what is left of N if
 * the call reached fewer points. Each operation runs with N = 1, 2, 3, ...
 * until it reaches no N-th point and succeeds. After every injected run:
 * the operation failed with its documented error, or did what it says
 * (a fallback absorbed the failure); the host counters are at baseline;
 * and the next run without a fault works. kmemleak and every kernel report
 * are judged by the fail_nth job (tests/l1/fail_nth.sh) and the runner.
 * Needs CONFIG_FAULT_INJECTION: the debug kernel (make test KERNEL=debug).
 */
#define FAILNTH_MAX	2000

struct failnth_op {
	const char *name;
	int points;		/* fault points reached: the sweep's length */
	int clean;		/* injections that ended in the documented error */
	int absorbed;		/* injections a fallback absorbed */
};

static int failnth_fd = -1;

/* Arm the n-th fault point from here on; 0 disarms. */
static void failnth_arm(unsigned int n)
{
	char b[16];
	int l = snprintf(b, sizeof(b), "%u", n);

	TEST_ASSERT(pwrite(failnth_fd, b, l, 0) == l, "fail-nth write: %s",
		    strerror(errno));
}

/* Disarm; true if the armed fault point was reached and failed. */
static bool failnth_fired(void)
{
	char b[16] = "";

	TEST_ASSERT(pread(failnth_fd, b, sizeof(b) - 1, 0) > 0,
		    "fail-nth read: %s", strerror(errno));
	failnth_arm(0);
	return strtoul(b, NULL, 10) == 0;
}

/* The documented errors of an operation that could not allocate. */
static bool failnth_errno_ok(int err)
{
	return err == -ENOMEM;
}

/*
 * One run's outcome: err (-errno, or 0) must come from the injected fault
 * and be a documented one; else the run succeeded, maybe on a fallback.
 * True if it failed.
 */
static bool failnth_judge(struct __test_metadata *_metadata,
			  struct failnth_op *op, unsigned int n, int err,
			  bool fired)
{
	ASSERT_TRUE(!err || fired)
		TH_LOG("%s failed with no fault injected: %s", op->name,
		       strerror(-err));
	if (!err) {
		op->absorbed += fired;
		return false;
	}
	ASSERT_TRUE(failnth_errno_ok(err))
		TH_LOG("%s, fail-nth %u: %s", op->name, n, strerror(-err));
	op->clean++;
	return true;
}

static void failnth_report(const struct failnth_op *op)
{
	printf("# fail-nth %s: %d fault points reached; %d ended in -ENOMEM, %d absorbed by a fallback, then a run without a fault succeeded\n",
	       op->name, op->points, op->clean, op->absorbed);
}

/* The host's counters as they were before the sweep. */
static void failnth_baseline(struct __test_metadata *_metadata,
			     const struct kvmi_stats *base, const char *op,
			     unsigned int n)
{
	struct kvmi_stats s = host_stats();

	ASSERT_EQ(base->live_maps, s.live_maps) TH_LOG("%s, fail-nth %u", op, n);
	ASSERT_EQ(base->live_tokens, s.live_tokens)
		TH_LOG("%s, fail-nth %u", op, n);
	ASSERT_EQ(base->retained, s.retained) TH_LOG("%s, fail-nth %u", op, n);
}

/*
 * One hypercall with fail-nth n armed around its KVM_RUN on this vCPU
 * thread. *run_err: KVM_RUN's -errno, or 0 when the guest answered; the
 * hypercall's return value then.
 */
static long hc_nth(struct intro *in, unsigned int n, bool *fired, int *run_err,
		   uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	int rc;

	hc_post(in, nr, a0, a1, a2);
	failnth_arm(n);
	rc = __vcpu_run(in->vcpu[0]);
	*run_err = rc ? -errno : 0;
	*fired = failnth_fired();
	return rc ? 0 : hc_answer(in);
}

/*
 * One step of a hypercall's sweep: the call with fail-nth n armed. A
 * KVM_RUN that failed must have had its fault injected, with -ENOMEM, and
 * the call then made must succeed; a call that failed likewise. Returns the
 * call's result: 0, or the documented error it ended in.
 */
static long hc_step(struct __test_metadata *_metadata, struct intro *in,
		    unsigned int n, bool *fired, struct failnth_op *op,
		    uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	int err;
	long r = hc_nth(in, n, fired, &err, nr, a0, a1, a2);

	if (!err) {
		failnth_judge(_metadata, op, n, (int)r, *fired);
		return r;
	}
	failnth_judge(_metadata, op, n, err, *fired);	/* KVM_RUN's */
	/* Before or after the guest's call: it is made now. */
	vcpu_run(in->vcpu[0]);
	r = hc_answer(in);
	ASSERT_EQ(NO_ERR, r) TH_LOG("%s after KVM_RUN failed", op->name);
	return r;
}

/* An ioctl of /dev/kvmi with fail-nth n armed around it: -errno or 0. */
static int ioctl_nth(unsigned long req, void *arg, unsigned int n, bool *fired)
{
	int ret;

	failnth_arm(n);
	ret = ioctl(kvmi_fd(), req, arg) ? -errno : 0;
	*fired = failnth_fired();
	return ret;
}

/*
 * Sweep one /dev/kvmi ioctl. setup() makes its argument (no fault armed);
 * did() checks a success and undoes it, undo() what a failure left, so the
 * next round starts alike.
 */
struct ioctl_sweep {
	const char *name;
	unsigned long req;
	void (*setup)(FIXTURE_DATA(window) *self, void *arg);
	void (*undo)(FIXTURE_DATA(window) *self, void *arg);
	bool (*did)(FIXTURE_DATA(window) *self, void *arg);
};

static void issue_setup(FIXTURE_DATA(window) *self, void *arg)
{
	struct kvmi_token_issue *r = arg;

	memset(r, 0, sizeof(*r));
	r->target_pid = self->t.pid;
	r->ram_fd = self->t.ram_fd;
}

static void issue_window_setup(FIXTURE_DATA(window) *self, void *arg)
{
	struct kvmi_token_issue_window *r = arg;

	memset(r, 0, sizeof(*r));
	r->issue.target_pid = self->t.pid;
	r->issue.ram_fd = self->t.ram_fd;
	r->window_fd = self->window_fd;
}

/* An issued token is live and listed; revoking it ends it. */
static bool issue_did(FIXTURE_DATA(window) *self, void *arg)
{
	struct kvmi_token_issue *r = arg;

	(void)self;
	return r->id && r->nr_ranges == 1 && !token_revoke(r->id);
}

static void revoke_setup(FIXTURE_DATA(window) *self, void *arg)
{
	struct kvmi_token_issue r;

	TEST_ASSERT(!token_issue(&self->t, 0, 0, &r), "issue for revoke");
	*(uint32_t *)arg = r.id;
}

/* A token a failed revoke left live is revoked for the next round. */
static void revoke_undo(FIXTURE_DATA(window) *self, void *arg)
{
	(void)self;
	token_revoke(*(uint32_t *)arg);
}

/* Only the fixture's token is left live. */
static bool revoke_did(FIXTURE_DATA(window) *self, void *arg)
{
	(void)self;
	(void)arg;
	return host_stats().live_tokens == 1;
}

/* Room for every token: the live ones and the dead the host still lists. */
static struct kvmi_token_info list_info[1024];

static void list_setup(FIXTURE_DATA(window) *self, void *arg)
{
	struct kvmi_token_list *r = arg;

	(void)self;
	r->count = ARRAY_SIZE(list_info);
	r->info = (uintptr_t)list_info;
}

/* One live token, the fixture's (the sweeps' revoked ones may be listed). */
static bool list_did(FIXTURE_DATA(window) *self, void *arg)
{
	struct kvmi_token_list *r = arg;
	unsigned int i, live = 0;
	bool found = false;

	for (i = 0; i < r->count && i < ARRAY_SIZE(list_info); i++) {
		if (list_info[i].state != KVMI_TOKEN_LIVE)
			continue;
		live++;
		found |= list_info[i].id == self->tok.issue.id;
	}
	return r->count < ARRAY_SIZE(list_info) && live == 1 && found;
}

static bool stats_did(FIXTURE_DATA(window) *self, void *arg)
{
	(void)self;
	return ((struct kvmi_stats *)arg)->live_tokens == 1;
}

static const struct ioctl_sweep ioctl_sweeps[] = {
	{ "KVMI_TOKEN_ISSUE", KVMI_TOKEN_ISSUE, issue_setup, NULL, issue_did },
	{ "KVMI_TOKEN_ISSUE_WINDOW", KVMI_TOKEN_ISSUE_WINDOW, issue_window_setup,
	  NULL, issue_did },
	{ "KVMI_TOKEN_REVOKE", KVMI_TOKEN_REVOKE, revoke_setup, revoke_undo,
	  revoke_did },
	{ "KVMI_TOKEN_LIST", KVMI_TOKEN_LIST, list_setup, NULL, list_did },
	{ "KVMI_GET_STATS", KVMI_GET_STATS, NULL, NULL, stats_did },
};

/* One run with fail-nth n armed; true if its fault point was reached. */
typedef bool (*failnth_step)(struct __test_metadata *_metadata,
			     FIXTURE_DATA(window) *self, struct failnth_op *op,
			     unsigned int n, const void *ctx);

/*
 * fail-nth = 1, 2, 3, ... until a run reaches no n-th fault point (and so
 * must have succeeded); the host's counters at baseline after every run.
 */
static void failnth_sweep(struct __test_metadata *_metadata,
			  FIXTURE_DATA(window) *self, const char *name,
			  failnth_step step, const void *ctx)
{
	struct failnth_op op = { .name = name };
	struct kvmi_stats base = host_stats();
	unsigned int n;
	bool fired = true;

	for (n = 1; fired && n <= FAILNTH_MAX; n++) {
		fired = step(_metadata, self, &op, n, ctx);
		failnth_baseline(_metadata, &base, name, n);
	}
	ASSERT_FALSE(fired) TH_LOG("%s never ran clean", name);
	op.points = n - 2;
	failnth_report(&op);
}

/* Each /dev/kvmi ioctl (ctx: its struct ioctl_sweep). */
static bool ioctl_step(struct __test_metadata *_metadata,
		       FIXTURE_DATA(window) *self, struct failnth_op *op,
		       unsigned int n, const void *ctx)
{
	const struct ioctl_sweep *s = ctx;
	union {
		struct kvmi_token_issue_window iw;
		struct kvmi_token_list l;
		struct kvmi_stats st;
		uint32_t id;
	} arg;
	bool fired;
	int err;

	memset(&arg, 0, sizeof(arg));
	if (s->setup)
		s->setup(self, &arg);
	err = ioctl_nth(s->req, &arg, n, &fired);
	if (failnth_judge(_metadata, op, n, err, fired)) {
		if (s->undo)
			s->undo(self, &arg);
	} else {
		ASSERT_TRUE(s->did(self, &arg))
			TH_LOG("%s, fail-nth %u: success, but not done", s->name, n);
	}
	return fired;
}

/* open() and close() of /dev/kvmi. */
static bool open_step(struct __test_metadata *_metadata,
		      FIXTURE_DATA(window) *self, struct failnth_op *op,
		      unsigned int n, const void *ctx)
{
	bool fired;
	int fd, err;

	(void)self;
	(void)ctx;
	failnth_arm(n);
	fd = open("/dev/kvmi", O_RDWR | O_CLOEXEC);
	err = fd < 0 ? -errno : 0;
	if (fd >= 0)
		close(fd);
	fired = failnth_fired();
	failnth_judge(_metadata, op, n, err, fired);
	return fired;
}

/* The page the hypercall sweeps map: a target page into the window. */
#define SWEEP_TGPA	(9 * PAGE)
#define SWEEP_LGPA	(WINDOW_GPA + 7 * PAGE)
#define SWEEP_WORD	0x5157

/*
 * The map hypercall, run by the host handler on this vCPU thread: KVM_RUN's
 * own fault points count too (a KVM_RUN that failed leaves the guest's
 * call to be made, and it must then map). Mapped in the end, byte for
 * byte; then unmapped, the window's page back.
 */
static bool map_step(struct __test_metadata *_metadata,
		     FIXTURE_DATA(window) *self, struct failnth_op *op,
		     unsigned int n, const void *ctx)
{
	uint64_t *w = (uint64_t *)(self->win + (SWEEP_LGPA - WINDOW_GPA));
	bool fired;

	(void)ctx;
	w[0] = SWEEP_WORD;
	if (hc_step(_metadata, &self->in, n, &fired, op, KVM_HC_MEM_MAP,
		    (uint64_t)&guest_token, SWEEP_TGPA, SWEEP_LGPA)) {
		ASSERT_EQ(SWEEP_WORD, w[0]) TH_LOG("a failed map changed the page");
		ASSERT_EQ(0, host_stats().live_maps);
		ASSERT_EQ(NO_ERR, map(&self->in, SWEEP_TGPA, SWEEP_LGPA))
			TH_LOG("a map right after fail-nth %u", n);
	}
	ASSERT_EQ(0, memcmp(w, self->t.ram + SWEEP_TGPA, PAGE))
		TH_LOG("fail-nth %u: mapped, but not the target's page", n);
	ASSERT_EQ(1, host_stats().live_maps);
	ASSERT_EQ(NO_ERR, unmap(&self->in, SWEEP_LGPA));
	ASSERT_EQ(SWEEP_WORD, w[0]);
	return fired;
}

/* The unmap hypercall, likewise: a failed one leaves the map live. */
static bool unmap_step(struct __test_metadata *_metadata,
		       FIXTURE_DATA(window) *self, struct failnth_op *op,
		       unsigned int n, const void *ctx)
{
	uint64_t *w = (uint64_t *)(self->win + (SWEEP_LGPA - WINDOW_GPA));
	bool fired;

	(void)ctx;
	w[0] = SWEEP_WORD;
	ASSERT_EQ(NO_ERR, map(&self->in, SWEEP_TGPA, SWEEP_LGPA));
	if (hc_step(_metadata, &self->in, n, &fired, op, KVM_HC_MEM_UNMAP,
		    SWEEP_LGPA, 0, 0)) {
		ASSERT_EQ(1, host_stats().live_maps)
			TH_LOG("a failed unmap ended the map");
		ASSERT_EQ(NO_ERR, unmap(&self->in, SWEEP_LGPA))
			TH_LOG("an unmap right after fail-nth %u", n);
	}
	ASSERT_EQ(SWEEP_WORD, w[0])
		TH_LOG("fail-nth %u: the window's page is not back", n);
	return fired;
}

TEST_F_TIMEOUT(window, fail_nth_sweeps, 1800)
{
	unsigned int i;

	if (_metadata->skip)
		return;
	failnth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (failnth_fd < 0)
		SKIP(return, "no /proc/thread-self/fail-nth: this kernel has no CONFIG_FAULT_INJECTION (make test KERNEL=debug has)");
	for (i = 0; i < ARRAY_SIZE(ioctl_sweeps); i++)
		failnth_sweep(_metadata, self, ioctl_sweeps[i].name, ioctl_step,
			      &ioctl_sweeps[i]);
	failnth_sweep(_metadata, self, "open+close /dev/kvmi", open_step, NULL);
	guest_read(&self->in, SWEEP_LGPA);	/* the guest's page tables are in */
	failnth_sweep(_metadata, self, "map hypercall (KVM_RUN)", map_step, NULL);
	failnth_sweep(_metadata, self, "unmap hypercall (KVM_RUN)", unmap_step,
		      NULL);
	close(failnth_fd);
}

FIXTURE(race) {
	struct target t;
};

FIXTURE_SETUP(race)
{
	struct kvmi_stats s;

	if (!selected(_metadata->name))
		SKIP(return, "not selected (KVMI_HOST_TEST_ONLY, _SKIP)");
	s = host_stats();
	ASSERT_EQ(0, s.live_maps);
	ASSERT_EQ(0, s.live_tokens);
	target_start(&self->t);
}

FIXTURE_TEARDOWN(race)
{
	struct kvmi_stats s;

	if (_metadata->skip)
		return;
	target_stop(&self->t);
	s = host_stats();
	EXPECT_EQ(0, s.live_maps);
	EXPECT_EQ(0, s.live_tokens);
	EXPECT_EQ(0, s.retained);
}

TEST_F_TIMEOUT(race, map_unmap_revoke, 600)
{
	bool nomap = getenv("KVMI_RACE_NOMAP");
	bool nokvmi = getenv("KVMI_RACE_NOKVMI");
	uint64_t goal = nomap || nokvmi ? RACE_CONTROL_CALLS : RACE_MAPS;
	uint64_t total_maps = 0, total_unmaps = 0;
	struct kvmi_token_issue tok;
	struct kvmi_stats s;
	unsigned int r, i;

	if (_metadata->skip)
		return;
	for (r = 0; r < RACE_ROUNDS; r++) {
		struct intro in = { 0 };
		uint64_t *maps, *calls, *bad, *stop, *progress;
		struct timespec t0, t1;
		pthread_t th[3];
		time_t end;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		ASSERT_EQ(NO_ERR, token_issue(&self->t, 0, 0, &tok));
		intro_create(&in, 3, &tok.token);
		race_target_gpa = nomap ? TARGET_SIZE : (r % TARGET_PAGES) * PAGE;
		race_map_refusal = nomap ? -ERANGE : 0;
		sync_global_to_guest(in.vm, race_target_gpa);
		sync_global_to_guest(in.vm, race_map_refusal);
		race_nokvmi = nokvmi;
		sync_global_to_guest(in.vm, race_nokvmi);
		maps = addr_gva2hva(in.vm, (vm_vaddr_t)&race_maps);
		calls = addr_gva2hva(in.vm, (vm_vaddr_t)race_calls);
		bad = addr_gva2hva(in.vm, (vm_vaddr_t)race_bad);
		stop = addr_gva2hva(in.vm, (vm_vaddr_t)&race_stop);
		progress = nomap || nokvmi ? &calls[0] : maps;
		for (i = 0; i < 3; i++) {
			vcpu_ended[i] = -1;
			vcpu_args_set(in.vcpu[i], 1, (uint64_t)ROLE_MAPPER + i);
			pthread_create(&th[i], NULL, vcpu_thread, in.vcpu[i]);
		}
		/* Revoke once every vCPU is in its loop and maps succeed. */
		end = time(NULL) + RACE_BOUND_S;
		while ((load(progress) < goal || !load(&calls[1]) ||
			!load(&calls[2])) && time(NULL) < end &&
		       vcpu_gone(&i) < 0)
			sched_yield();
		if (vcpu_gone(&i) >= 0) {
			dump_vcpu_threads();
			ASSERT_LT(vcpu_gone(&i), 0)
				TH_LOG("round %u: vCPU %u stopped: exit %s", r, i,
				       exit_reason_str(vcpu_gone(&i)));
		}
		if (load(progress) < goal)
			dump_vcpu_threads();
		ASSERT_LE(goal, load(progress))
			TH_LOG("round %u: %lu maps in %d s; calls %lu %lu %lu",
			       r, load(maps), RACE_BOUND_S, load(&calls[0]),
			       load(&calls[1]), load(&calls[2]));
		ASSERT_EQ(NO_ERR, token_revoke(tok.id));
		/* The mapper ends on its first -EKEYREVOKED, then the others. */
		if (nokvmi)
			__atomic_store_n(stop, 1, __ATOMIC_RELAXED);
		ASSERT_TRUE(join_bounded(th[0], r, "mapper after revocation",
					 calls, bad));
		__atomic_store_n(stop, 1, __ATOMIC_RELAXED);
		ASSERT_TRUE(join_bounded(th[1], r, "unmapper after stop", calls,
					 bad));
		ASSERT_TRUE(join_bounded(th[2], r, "forger after stop", calls,
					 bad));
		for (i = 0; i < 3; i++)
			ASSERT_EQ(0, (long)bad[i])
				TH_LOG("round %u: vCPU %u got %ld", r, i, (long)bad[i]);
		total_maps += load(maps);
		total_unmaps += load((uint64_t *)addr_gva2hva(in.vm,
					(vm_vaddr_t)&race_unmaps));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("# round %u: %lu maps, calls %lu %lu %lu, %.2f s\n", r,
		       load(maps), load(&calls[0]), load(&calls[1]),
		       load(&calls[2]), (t1.tv_sec - t0.tv_sec) +
		       (t1.tv_nsec - t0.tv_nsec) / 1e9);
		kvm_vm_free(in.vm);
		s = host_stats();
		ASSERT_EQ(0, s.live_maps) TH_LOG("round %u", r);
		ASSERT_EQ(0, s.live_tokens) TH_LOG("round %u", r);
	}
	printf("# %u rounds: %lu maps, %lu unmaps raced with revocation\n",
	       RACE_ROUNDS, total_maps, total_unmaps);
}

TEST_HARNESS_MAIN
