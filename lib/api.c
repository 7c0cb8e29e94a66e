/* SPDX-License-Identifier: MIT */
/*
 * api.c -- names of the functions behind each API id, for reports.
 */
#include "config.h"

#include "api.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct api_names {
    char id;
    const char *alloc, *calloc, *realloc, *free;
};

static const struct api_names apis[] = {
    {API_RAW, "deadbyte_raw_malloc", "deadbyte_raw_calloc",
     "deadbyte_raw_realloc", "deadbyte_raw_free"},
    {API_MEM, "deadbyte_mem_malloc", "deadbyte_mem_calloc",
     "deadbyte_mem_realloc", "deadbyte_mem_free"},
    {API_OBJ, "deadbyte_obj_malloc", "deadbyte_obj_calloc",
     "deadbyte_obj_realloc", "deadbyte_obj_free"},
    {API_NEW, "operator new", NULL, NULL, "operator delete"},
    {API_NEW_ARRAY, "operator new[]", NULL, NULL, "operator delete[]"},
};

static const struct api_names libc_raw = {API_RAW, "malloc", "calloc",
                                          "realloc", "free"};

static atomic_bool libc_names;

void
api_use_libc_names(void)
{
    atomic_store_explicit(&libc_names, true, memory_order_relaxed);
}

static const struct api_names *
find(char id)
{
    if (id == API_RAW &&
        atomic_load_explicit(&libc_names, memory_order_relaxed))
        return &libc_raw;
    for (size_t i = 0; i < sizeof apis / sizeof apis[0]; i++)
        if (apis[i].id == id)
            return &apis[i];
    return NULL;
}

const char *
api_alloc_name(char id)
{
    const struct api_names *api = find(id);
    return api ? api->alloc : NULL;
}

const char *
api_calloc_name(char id)
{
    const struct api_names *api = find(id);
    return api ? api->calloc : NULL;
}

const char *
api_realloc_name(char id)
{
    const struct api_names *api = find(id);
    return api ? api->realloc : NULL;
}

const char *
api_free_name(char id)
{
    const struct api_names *api = find(id);
    return api ? api->free : NULL;
}
