/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The known pattern the target's reserved gpa range is filled with: each
 * 8-byte word holds "KVMI" and its own gpa / 8, so bytes read at the wrong
 * offset, or from another page, never match.
 */
#ifndef KVMI_PATTERN_H
#define KVMI_PATTERN_H

#include <stdint.h>

#define KVMI_PATTERN_MAGIC 0x4b564d49ULL

static inline uint64_t kvmi_pattern_word(uint64_t gpa)
{
	return KVMI_PATTERN_MAGIC << 32 | (uint32_t)(gpa >> 3);
}

#endif
