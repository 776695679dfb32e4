// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi_bug.ko: crash on purpose, for the runner's meta-tests. Loaded in L1
 * with crash=list, it deletes a list entry twice: Debian's 6.1 sets
 * BUG_ON_DATA_CORRUPTION, so the kernel prints "list_del corruption" and
 * then "kernel BUG at lib/list_debug.c" through an x86 ud2 ("invalid
 * opcode"), with no "BUG:" line. The runner must report that, not a freeze.
 * Never load it anywhere that matters.
 */
#include <linux/list.h>
#include <linux/module.h>
#include <linux/string.h>

static char *crash = "";
module_param(crash, charp, 0444);
MODULE_PARM_DESC(crash, "list: delete a list entry twice (BUG)");

static LIST_HEAD(kvmi_bug_list);
static struct list_head kvmi_bug_entry;

static int __init kvmi_bug_init(void)
{
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
MODULE_DESCRIPTION("kvmi-harness: crash on purpose for the watchdog meta-test");
