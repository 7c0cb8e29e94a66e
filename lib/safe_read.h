/* SPDX-License-Identifier: MIT */
/*
 * safe_read.h -- read memory that may be unmapped or protected: the
 * kernel copies it (process_vm_readv), so a bad address fails instead of
 * raising SIGSEGV.  For reports, which read damaged blocks, guard pages
 * and modules' notes.
 */
#ifndef DEADBYTE_SAFE_READ_H
#define DEADBYTE_SAFE_READ_H

#include <stdbool.h>
#include <stddef.h>

/* Copy N bytes from SRC into DST; false if any of them cannot be read. */
bool safe_read(void *dst, const void *src, size_t n);

#endif
