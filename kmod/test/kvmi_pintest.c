// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only GUP pin device for the introspector guest, /dev/kvmi_pintest.
 * It exists so that the pin tracer (kvmi-trace pin) has a known pin to find.
 *
 *   write "pin"    pins the user page holding the written buffer
 *                  (pin_user_pages_fast, FOLL_WRITE | FOLL_LONGTERM)
 *   write "unpin"  unpins the most recent pin (unpin_user_page)
 *   read           one line per page still pinned: "pfn 0x... pid N"
 *
 * A pin never unpinned outlives the writer: that is the leak the tracer must
 * report. Unloading the module unpins whatever is left.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

struct kvmi_pintest_pin {
	struct list_head list;
	struct page *page;
	pid_t pid;
};

static LIST_HEAD(kvmi_pintest_pins);
static DEFINE_MUTEX(kvmi_pintest_lock);	/* protects kvmi_pintest_pins */

static int kvmi_pintest_pin(unsigned long addr)
{
	struct kvmi_pintest_pin *p;
	int ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	ret = pin_user_pages_fast(addr & PAGE_MASK, 1,
				  FOLL_WRITE | FOLL_LONGTERM, &p->page);
	if (ret != 1) {
		kfree(p);
		return ret < 0 ? ret : -EFAULT;
	}
	p->pid = task_tgid_nr(current);
	mutex_lock(&kvmi_pintest_lock);
	list_add(&p->list, &kvmi_pintest_pins);
	mutex_unlock(&kvmi_pintest_lock);
	return 0;
}

static int kvmi_pintest_unpin(void)
{
	struct kvmi_pintest_pin *p;

	mutex_lock(&kvmi_pintest_lock);
	p = list_first_entry_or_null(&kvmi_pintest_pins,
				     struct kvmi_pintest_pin, list);
	if (p)
		list_del(&p->list);
	mutex_unlock(&kvmi_pintest_lock);
	if (!p)
		return -ENOENT;
	unpin_user_page(p->page);
	kfree(p);
	return 0;
}

static ssize_t kvmi_pintest_write(struct file *file, const char __user *buf,
				  size_t len, loff_t *ppos)
{
	char cmd[8] = { 0 };
	int ret;

	if (copy_from_user(cmd, buf, min(len, sizeof(cmd) - 1)))
		return -EFAULT;
	if (!strncmp(cmd, "pin", 3) && (len == 3 || cmd[3] == '\n'))
		ret = kvmi_pintest_pin((unsigned long)buf);
	else if (!strncmp(cmd, "unpin", 5))
		ret = kvmi_pintest_unpin();
	else
		ret = -EINVAL;
	return ret ? ret : len;
}

static ssize_t kvmi_pintest_read(struct file *file, char __user *buf,
				 size_t len, loff_t *ppos)
{
	struct kvmi_pintest_pin *p;
	size_t n = 0, size = PAGE_SIZE;
	ssize_t ret;
	char *s;

	s = kmalloc(size, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	mutex_lock(&kvmi_pintest_lock);
	list_for_each_entry(p, &kvmi_pintest_pins, list)
		n += scnprintf(s + n, size - n, "pfn 0x%lx pid %d\n",
			       page_to_pfn(p->page), p->pid);
	mutex_unlock(&kvmi_pintest_lock);
	ret = simple_read_from_buffer(buf, len, ppos, s, n);
	kfree(s);
	return ret;
}

static const struct file_operations kvmi_pintest_fops = {
	.owner = THIS_MODULE,
	.read = kvmi_pintest_read,
	.write = kvmi_pintest_write,
	.llseek = no_llseek,
};

static struct miscdevice kvmi_pintest_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kvmi_pintest",
	.fops = &kvmi_pintest_fops,
	.mode = 0600,
};

static int __init kvmi_pintest_init(void)
{
	return misc_register(&kvmi_pintest_dev);
}

static void __exit kvmi_pintest_exit(void)
{
	misc_deregister(&kvmi_pintest_dev);
	while (!kvmi_pintest_unpin())
		;
}

module_init(kvmi_pintest_init);
module_exit(kvmi_pintest_exit);

MODULE_DESCRIPTION("kvmi-harness test-only GUP pin device");
MODULE_LICENSE("GPL");
