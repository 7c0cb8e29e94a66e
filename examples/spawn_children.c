/* SPDX-License-Identifier: MIT */
/*
 * spawn_children.c -- a correct program that starts other programs the
 * two ways that share its memory until the exec: vfork + execv (and
 * _exit when the exec fails), and posix_spawn.  It has freed blocks in
 * deadbyte's quarantine and live blocks meanwhile, which the children
 * must neither check nor change: a vfork child runs on its parent's
 * memory.  `deadbyte -- ./spawn_children` says nothing, and the output
 * is the same as without it:
 *
 *   vfork: /bin/true exited 0
 *   vfork: no such program, exited 127
 *   posix_spawn: /bin/true exited 0
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int
wait_for(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* vfork, exec PATH (or _exit(127)); the child's exit status. */
static int
run_vforked(const char *path)
{
    char *const args[] = {(char *)path, NULL};
    pid_t pid = vfork();
    if (pid == 0) {
        execv(path, args);
        _exit(127);
    }
    return pid < 0 ? -1 : wait_for(pid);
}

int
main(void)
{
    char *live = malloc(32);
    char *freed = malloc(32);
    if (!live || !freed)
        return 1;
    strcpy(live, "kept across the children");
    free(freed); /* in the quarantine while the children run */

    printf("vfork: /bin/true exited %d\n", run_vforked("/bin/true"));
    printf("vfork: no such program, exited %d\n",
           run_vforked("/nonexistent/program"));

    char *const args[] = {"true", NULL};
    pid_t pid;
    if (posix_spawn(&pid, "/bin/true", NULL, NULL, args, environ) != 0)
        return 1;
    printf("posix_spawn: /bin/true exited %d\n", wait_for(pid));

    free(live);
    return 0;
}
