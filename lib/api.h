/* SPDX-License-Identifier: MIT */
/*
 * api.h -- the API ids written in every block header and how reports name
 * them in words: which function allocates, resizes and releases blocks of
 * each API.
 */
#ifndef DEADBYTE_API_H
#define DEADBYTE_API_H

#define API_RAW 'r'
#define API_MEM 'm'
#define API_OBJ 'o'

/*
 * The function that makes blocks of API ID ("deadbyte_mem_malloc"), the
 * one that resizes them and the one that releases them; NULL for a byte
 * that is not an API id deadbyte uses.
 */
const char *api_alloc_name(char id);
const char *api_realloc_name(char id);
const char *api_free_name(char id);

#endif
