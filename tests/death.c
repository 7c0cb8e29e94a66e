/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "death.h"

#include <check.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static char output[65536];

const char *
death_output(void)
{
    return output;
}

static void
capture(int fd)
{
    size_t len = 0;
    ssize_t n;
    while ((n = read(fd, output + len, sizeof output - 1 - len)) > 0)
        len += (size_t)n;
    output[len] = '\0';
}

void
expect_death(void (*fn)(void *), void *arg, const struct death *expect)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0) {
        /* No core files from deliberate aborts. */
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        close(fds[1]);
        fn(arg);
        _exit(0);
    }
    close(fds[1]);
    capture(fds[0]);
    close(fds[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);

    if (expect->signal == 0) {
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                      "expected a clean exit, got status 0x%x; stderr:\n%s",
                      status, output);
        ck_assert_msg(output[0] == '\0', "expected no output, got:\n%s",
                      output);
        return;
    }
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == expect->signal,
                  "expected death by signal %d, got status 0x%x; stderr:\n%s",
                  expect->signal, status, output);
    const char *at = output;
    for (const char *const *pat = expect->patterns; pat && *pat; pat++) {
        regex_t re;
        regmatch_t match;
        ck_assert_int_eq(regcomp(&re, *pat, REG_EXTENDED | REG_NEWLINE), 0);
        int found = regexec(&re, at, 1, &match, 0) == 0;
        regfree(&re);
        ck_assert_msg(found, "pattern not found (in order): %s\nstderr:\n%s",
                      *pat, output);
        at += match.rm_eo;
    }
}
