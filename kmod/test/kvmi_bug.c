// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi_bug.ko: break the kernel on purpose, for the runner's meta-tests,
 * each proving that a detector's report fails the test. Loaded in L1:
 *   crash=list  delete a list entry twice: Debian's 6.1 sets
 *               BUG_ON_DATA_CORRUPTION, so the kernel prints "list_del
 *               corruption" and then "kernel BUG at lib/list_debug.c"
 *               through an x86 ud2 ("invalid opcode"), with no "BUG:" line
 *   crash=lock  take two mutexes in one order, then in the other: lockdep's
 *               "possible circular locking dependency" (debug kernel)
 *   crash=leak  allocate and forget: kmemleak's "suspected memory leak"
 *               at the end of the test (debug kernel)
 *   crash=uaf   read freed memory: "BUG: KASAN: use-after-free"
 *               (debug kernel)
 * The runner must report each as what it is, not as a freeze. Never load
 * it anywhere that matters.
 */
#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *crash = "";
module_param(crash, charp, 0444);
MODULE_PARM_DESC(crash, "list, lock, leak or uaf (see the top of kvmi_bug.c)");

static LIST_HEAD(kvmi_bug_list);
static struct list_head kvmi_bug_entry;
static DEFINE_MUTEX(kvmi_bug_a);
static DEFINE_MUTEX(kvmi_bug_b);

static void kvmi_bug_lock(void)
{
	mutex_lock(&kvmi_bug_a);
	mutex_lock(&kvmi_bug_b);
	mutex_unlock(&kvmi_bug_b);
	mutex_unlock(&kvmi_bug_a);
	pr_info("kvmi_bug: taking the two mutexes in the other order\n");
	mutex_lock(&kvmi_bug_b);
	mutex_lock(&kvmi_bug_a);
	mutex_unlock(&kvmi_bug_a);
	mutex_unlock(&kvmi_bug_b);
}

/* Not inlined into the __init function: kmemleak's backtrace names it. */
static noinline int kvmi_bug_leak(void)
{
	void *p = kmalloc(512, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	/* The one pointer to it is gone when this returns. */
	memset(p, 0x6b, 512);
	pr_info("kvmi_bug: leaked 512 bytes\n");
	return 0;
}

static int kvmi_bug_uaf(void)
{
	char *p = kmalloc(64, GFP_KERNEL);
	char c;

	if (!p)
		return -ENOMEM;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	c = READ_ONCE(p[8]);
	pr_info("kvmi_bug: read %d from freed memory\n", c);
	return 0;
}

static int __init kvmi_bug_init(void)
{
	if (!strcmp(crash, "lock")) {
		kvmi_bug_lock();
		return 0;
	}
	if (!strcmp(crash, "leak"))
		return kvmi_bug_leak();
	if (!strcmp(crash, "uaf"))
		return kvmi_bug_uaf();
	if (strcmp(crash, "list"))
		return 0;
	list_add(&kvmi_bug_entry, &kvmi_bug_list);
	list_del(&kvmi_bug_entry);
	pr_info("kvmi_bug: deleting the entry a second time\n");
	list_del(&kvmi_bug_entry);
	return -EIO;	/* not reached with BUG_ON_DATA_CORRUPTION */
}

static void __exit kvmi_bug_exit(void)
{
}

module_init(kvmi_bug_init);
module_exit(kvmi_bug_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kvmi-harness: break the kernel on purpose for the watchdog meta-tests");
