// SPDX-License-Identifier: GPL-2.0
/* Console scanning: line assembly and the watchdog on real kernel lines. */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "console.h"

#include <stdlib.h>

struct lines {
	int n;
	char l[8][CONSOLE_LINE_MAX];
};

static void collect(void *ctx, const char *line)
{
	struct lines *ls = ctx;

	if (ls->n < 8)
		strcpy(ls->l[ls->n], line);
	ls->n++;
}

TEST(lines_split_across_chunks_and_crlf)
{
	struct linebuf lb = { 0 };
	struct lines ls = { 0 };

	linebuf_feed(&lb, "[    1.0] hel", 13, collect, &ls);
	EXPECT_EQ(0, ls.n);
	linebuf_feed(&lb, "lo\r\nsecond\npart", 15, collect, &ls);
	ASSERT_EQ(2, ls.n);
	EXPECT_STREQ("[    1.0] hello", ls.l[0]);
	EXPECT_STREQ("second", ls.l[1]);
	linebuf_flush(&lb, collect, &ls);
	ASSERT_EQ(3, ls.n);
	EXPECT_STREQ("part", ls.l[2]);
	linebuf_flush(&lb, collect, &ls);
	EXPECT_EQ(3, ls.n);
}

TEST(overlong_line_is_split_not_lost)
{
	struct linebuf lb = { 0 };
	struct lines ls = { 0 };
	char *big = malloc(CONSOLE_LINE_MAX + 10);

	memset(big, 'x', CONSOLE_LINE_MAX + 9);
	big[CONSOLE_LINE_MAX + 9] = '\n';
	linebuf_feed(&lb, big, CONSOLE_LINE_MAX + 10, collect, &ls);
	ASSERT_EQ(2, ls.n);
	EXPECT_EQ(CONSOLE_LINE_MAX - 1, (int)strlen(ls.l[0]));
	EXPECT_EQ(10, (int)strlen(ls.l[1]));
	free(big);
}

/* Lines as kernels print them; the first one came from an L2 console here. */
static const struct {
	const char *line;
	const char *what;
} samples[] = {
	{ "[   11.376964] WARNING: CPU: 0 PID: 0 at arch/x86/kernel/fpu/xstate.c:606 fpu__init_system_xstate+0x85a/0xb19", "warning" },
	{ "[    6.204930] WARNING: kvmi-harness watchdog self-test", "warning" },
	{ "[   42.1] BUG: kernel NULL pointer dereference, address: 0000000000000008", "bug" },
	{ "[   42.1] BUG: unable to handle page fault for address: ffffc90000a3f000", "bug" },
	{ "[   42.2] Oops: 0000 [#1] PREEMPT SMP NOPTI", "oops" },
	{ "[   42.3] general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP NOPTI", "general protection fault" },
	{ "[   42.4] Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b", "panic" },
	{ "[   50.0] WARNING: possible circular locking dependency detected", "lockdep" },
	{ "[   50.0] WARNING: possible recursive locking detected", "lockdep" },
	{ "[   50.0] WARNING: suspicious RCU usage", "lockdep" },
	{ "[   50.0] WARNING: inconsistent lock state", "lockdep" },
	{ "[   50.0] inconsistent lock state", "lockdep" },
	{ "[  242.9] INFO: task kworker/u4:2:83 blocked for more than 120 seconds.", "hung task" },
	{ "[  243.0] Kernel panic - not syncing: hung_task: blocked tasks", "panic" },
	{ "[   63.0] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:", "rcu stall" },
	{ "[   63.0] rcu: INFO: rcu_sched self-detected stall on CPU", "rcu stall" },
	/* Seen on L1 here (issue 9), with both L2 VMs up. */
	{ "[   77.1] rcu: INFO: rcu_preempt self-detected stall on CPU", "rcu stall" },
	{ "[  101.9] watchdog: BUG: soft lockup - CPU#1 stuck for 44s! [bash:131]", "soft lockup" },
	{ "[  101.9] Watchdog detected hard LOCKUP on cpu 1", "hard lockup" },
	/* x86 BUG_ON(): 6.1 prints no "BUG:" */
	{ "[   12.3] kernel BUG at /tmp/kvmi/kmod/test/kvmi_bugon.c:31!", "kernel BUG" },
	{ "[   12.3] invalid opcode: 0000 [#1] PREEMPT SMP NOPTI", "kernel BUG" },
	{ "[   12.3] Unable to handle kernel paging request at virtual address dead000000000108", "oops" },
	{ "[   12.3] UBSAN: array-index-out-of-bounds in arch/x86/kvm/kvmi_map.c:120:9", "ubsan" },
	{ "[   12.3] BUG: KASAN: slab-use-after-free in kvmi_hc_mem_map+0x3f1/0x500 [kvm]", "kasan" },
	{ "[   12.3] BUG: KFENCE: use-after-free read in kvmi_hc_mem_map+0x3f1/0x500 [kvm]", "kfence" },
	{ "[  300.0] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)", "kmemleak" },
	{ "[   12.3] refcount_t: underflow; use-after-free.", "refcount" },
	{ "[   12.3] list_add corruption. next->prev should be prev (ffff888003f0b100), but was 0000000000000000. (next=ffff888003f0b0e8).", "list corruption" },
	{ "[   12.3] list_del corruption, ffff88800a1b2c00->next is LIST_POISON1 (dead000000000100)", "list corruption" },
	{ "[   12.3] DEBUG_LOCKS_WARN_ON(1)", "lockdep" },
	/* page_poison=1 (mm/page_poison.c) */
	{ "[   40.1] pagealloc: memory corruption", "page corruption" },
	{ "[   40.1] pagealloc: single bit error", "page corruption" },
	/* SLUB debug (slub_debug=FPZU): "BUG <cache> (<taint>): ..." */
	{ "[   61.2] BUG kmalloc-cg-512 (Tainted: G           OE     ): Poison overwritten", "slab corruption" },
	{ "[   61.2] BUG kmalloc-64 (Not tainted): Object already free", "slab corruption" },
	{ "[   61.2] BUG kmalloc-cg-512 (Tainted: G    B      OE     ): Redzone overwritten", "slab corruption" },
	{ "[   88.4] BUG kvmi_map (Tainted: G           OE     ): Objects remaining in kvmi_map on __kmem_cache_shutdown()", "slab corruption" },
	/* Harmless lines from real L1/L2 boots here. */
	{ "[    0.975477] mtrr: your CPUs had inconsistent variable MTRR settings", NULL },
	{ "[   11.352537] Spectre V2 : Mitigation: Retpolines", NULL },
	{ "[   33.898632] kvm [141]: vcpu0, guest rIP: 0xffffffff8107e744 Unhandled WRMSR(0xc0010007) = 0xffff", NULL },
	{ "[    5.572455] kvm: module verification failed: signature and/or required key missing - tainting kernel", NULL },
	{ "[    2.195481] Unstable clock detected, switching default tracing clock to \"global\"", NULL },
	{ "[    0.000000] Command line: console=ttyS0 panic=-1 loglevel=6", NULL },
	{ "kvmi-l1: job exited with 0 at 8.68s", NULL },
	{ "[    0.1] Kernel command line: slub_debug=FPZU,kmalloc-cg-512 console=ttyS0", NULL },
	{ "# kvmi-job: BUG reports (none) in the introspector (0 of 3)", NULL },
	/* What debug kernels print at boot. */
	{ "[    0.1] kmemleak: Kernel memory leak detector initialized (mempool available:36442)", NULL },
	{ "[    0.1] kasan: KernelAddressSanitizer initialized (generic)", NULL },
	{ "[    6.436581] calling  hung_task_init+0x0/0x79 @ 1", NULL },
	{ "[    6.436920] initcall kmemleak_late_init+0x0/0x9e returned 0 after 66 usecs", NULL },
	{ "[    0.1] Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar", NULL },
	{ "[    0.1] kfence: initialized - using 2097152 bytes for 255 objects at 0x(____ptrval____)-0x(____ptrval____)", NULL },
};

TEST(watchdog_on_real_lines)
{
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const char *got = watchdog_match(samples[i].line);

		if (samples[i].what) {
			ASSERT_NE(NULL, got) TH_LOG("missed: %s", samples[i].line);
			EXPECT_STREQ(samples[i].what, got) TH_LOG("line: %s", samples[i].line);
		} else {
			EXPECT_EQ(NULL, got) TH_LOG("false alarm: %s", samples[i].line);
		}
	}
}

TEST_HARNESS_MAIN
