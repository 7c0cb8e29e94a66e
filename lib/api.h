/* SPDX-License-Identifier: MIT */
/*
 * api.h -- the API ids written in every block header and how reports name
 * them in words: which function allocates, resizes and releases blocks of
 * each API.
 */
#ifndef DEADBYTE_API_H
#define DEADBYTE_API_H

#define API_RAW 'r'       /* raw domain; under the launcher, malloc & co. */
#define API_MEM 'm'       /* mem domain */
#define API_OBJ 'o'       /* obj domain */
#define API_NEW 'n'       /* C++ operator new / operator delete */
#define API_NEW_ARRAY 'a' /* C++ operator new[] / operator delete[] */

/*
 * The function that makes blocks of API ID ("deadbyte_mem_malloc"), the
 * one that makes them zeroed, the one that resizes them and the one that
 * releases them; NULL for a byte that is not an API id deadbyte uses (and
 * for zeroing or resizing new/new[] blocks).
 */
const char *api_alloc_name(char id);
const char *api_calloc_name(char id);
const char *api_realloc_name(char id);
const char *api_free_name(char id);

/*
 * From now on, name the raw API after the C library functions (malloc,
 * realloc, free) that the preload library routes to it.  Idempotent and
 * thread-safe.
 */
void api_use_libc_names(void);

#endif
