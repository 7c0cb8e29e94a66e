/* SPDX-License-Identifier: MIT */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

const struct domain_api domain_apis[3] = {
    {"raw", 'r', DEADBYTE_DOMAIN_RAW, deadbyte_raw_malloc, deadbyte_raw_calloc,
     deadbyte_raw_realloc, deadbyte_raw_free},
    {"mem", 'm', DEADBYTE_DOMAIN_MEM, deadbyte_mem_malloc, deadbyte_mem_calloc,
     deadbyte_mem_realloc, deadbyte_mem_free},
    {"obj", 'o', DEADBYTE_DOMAIN_OBJ, deadbyte_obj_malloc, deadbyte_obj_calloc,
     deadbyte_obj_realloc, deadbyte_obj_free},
};

int
run_suite(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

rlim_t
address_space(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    ck_assert_ptr_nonnull(status);
    char line[256];
    unsigned long kib = 0;
    while (fgets(line, sizeof line, status))
        if (sscanf(line, "VmSize: %lu kB", &kib) == 1)
            break;
    fclose(status);
    ck_assert_uint_gt(kib, 0);
    return (rlim_t)kib * 1024;
}
