// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only raw hypercall device for the introspector guest. It lets the
 * harness reach the host handler without the /dev/kvmmem driver.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/sched.h>
#include <asm/kvm_para.h>

#include "../../include/uapi/kvmi_hctest.h"

static long kvmi_hctest_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct kvmi_hctest_call call;
	u64 i, repeat;

	if (cmd != KVMI_HCTEST_CALL)
		return -ENOTTY;
	if (copy_from_user(&call, (void __user *)arg, sizeof(call)))
		return -EFAULT;

	repeat = call.repeat ? call.repeat : 1;
	for (i = 0; i < repeat; i++) {
		call.ret = kvm_hypercall4(call.nr, call.args[0], call.args[1],
					  call.args[2], call.args[3]);
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}

	if (copy_to_user((void __user *)arg, &call, sizeof(call)))
		return -EFAULT;
	return 0;
}

static const struct file_operations kvmi_hctest_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = kvmi_hctest_ioctl,
};

static struct miscdevice kvmi_hctest_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvmi_hctest",
	.fops = &kvmi_hctest_fops,
	.mode = 0600,
};

module_misc_device(kvmi_hctest_dev);

MODULE_DESCRIPTION("kvmi-harness raw hypercall test device");
MODULE_LICENSE("GPL");
