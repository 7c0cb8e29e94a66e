/* SPDX-License-Identifier: MIT */
/*
 * check_lifecycle.c -- deadbyte's start, fork and checks after a call
 * (lib/lifecycle.h): --check-every N checks the heap right after the Nth
 * call of the hooks, not before; the hooks count their calls only with
 * --check-every; the preload library's own fork handlers run in the
 * child, where the heap is its parent's until it changes a block.
 */
#include "config.h"

#include "death.h"
#include "hooks.h"
#include "lifecycle.h"
#include "options.h"
#include "util.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void
say(const char *line)
{
    ssize_t n = write(STDERR_FILENO, line, strlen(line));
    (void)n;
}

/* --check-every 3 with an overflowed block: no check at the second
 * call, one at the third.  ARG: the domain. */
static void
overflow_then_three_calls(void *arg)
{
    const struct domain_api *api = &domain_apis[(intptr_t)arg];
    ck_assert_int_eq(options_set("check_every", "3", NULL), 0);
    atomic_store(&hooks_unchecked_calls, 0);
    unsigned char *p = launder(api->malloc(16)); /* call 1 */
    p[16] = 'x';
    void *q = api->malloc(8); /* call 2 */
    say("after the second call\n");
    api->free(q); /* call 3: into the quarantine */
    say("after the third call\n");
}

START_TEST(test_check_every_after_nth_call)
{
    static const char *const patterns[] = {
        "^after the second call$",
        "^Detected by deadbyte_check_heap at \\(most recent call first\\):$",
        "^Fatal error: deadbyte_check_heap: bad trailing pad byte$",
        NULL,
    };
    struct death expect = {SIGABRT, patterns};
    expect_death(overflow_then_three_calls, (void *)(intptr_t)_i, &expect);
    ck_assert_ptr_null(strstr(death_output(), "after the third call"));
}
END_TEST

/* Without --check-every the hooks count nothing, and nothing checks. */
START_TEST(test_no_count_without_check_every)
{
    ck_assert_int_eq(options_set("check_every", "0", NULL), 0);
    size_t before = atomic_load(&hooks_unchecked_calls);
    for (int i = 0; i < 100; i++)
        deadbyte_raw_free(deadbyte_raw_malloc(24));
    ck_assert_uint_eq(atomic_load(&hooks_unchecked_calls), before);
}
END_TEST

static volatile sig_atomic_t child_hook_ran;

static void
child_hook(void)
{
    child_hook_ran = 1;
}

/* A hook of lifecycle_at_fork_child runs in the child, not the parent. */
START_TEST(test_fork_child_hook)
{
    lifecycle_at_fork_child(child_hook);
    lifecycle_at_fork_child(child_hook); /* once only */
    child_hook_ran = 0;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(child_hook_ran == 1 && hooks_untouched_since_fork() ? 0 : 1);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_int_eq(child_hook_ran, 0);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("lifecycle");
    TCase *tc = tcase_create("lifecycle");
    tcase_add_loop_test(tc, test_check_every_after_nth_call, 0, 3);
    tcase_add_test(tc, test_no_count_without_check_every);
    tcase_add_test(tc, test_fork_child_hook);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
