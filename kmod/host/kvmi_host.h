/* SPDX-License-Identifier: GPL-2.0 */
/* kvmi-harness host handler: the hooks KVM's own files call. */
#ifndef ARCH_X86_KVM_KVMI_HOST_H
#define ARCH_X86_KVM_KVMI_HOST_H

#include <linux/kvm_host.h>
#include <uapi/kvmi.h>

int kvmi_init(void);
void kvmi_exit(void);
void kvmi_destroy_vm(struct kvm *kvm);
long kvmi_hc_mem_map(struct kvm_vcpu *vcpu, gva_t token_gva, gpa_t target_gpa,
		     gpa_t local_gpa);
long kvmi_hc_mem_unmap(struct kvm_vcpu *vcpu, gpa_t local_gpa);
long kvmi_hc_mem_unmap_all(struct kvm_vcpu *vcpu);

#endif
