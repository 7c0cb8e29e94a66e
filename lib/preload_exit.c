/* SPDX-License-Identifier: MIT */
/*
 * preload_exit.c -- the ways a process ends or replaces itself that pass
 * by deadbyte's destructor: _exit and _Exit, and the exec family.
 * Without these a block overflowed by a child that ends with _exit(0),
 * or by a program that ends by exec'ing another, would never be checked.
 *
 * Before _exit and _Exit: the whole check at exit -- guards, quarantine,
 * and the leak report per --leaks, as Valgrind makes it whatever way the
 * process ends.  Before an exec: guards and quarantine only.  An exec
 * replaces the image, but its memory is not lost by the program's fault,
 * and one that fails returns to a program that goes on: a leak report
 * there would be false (LeakSanitizer makes none at exec either).
 *
 * posix_spawn is not interposed: it does not end the caller, and glibc's
 * child (which shares the caller's memory until it execs) calls the C
 * library's internal execve, never these; the program it starts is
 * watched like any other, through the environment it inherits.
 *
 * Never in a vfork child: it runs on its parent's memory and stack, so
 * a check there would judge (and, draining the quarantine, change) the
 * parent's heap.  It is recognised by its process id: the one recorded
 * at start and after each fork (vfork runs no fork handlers) is not its
 * own.  A child made by a raw clone or _Fork looks the same and is not
 * checked either: a missed check, never a wrong one.
 */
#include "config.h"

#include "lifecycle.h"
#include "preload.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The process whose heap this is: not a vfork child's. */
static pid_t owner;

static void
note_owner(void)
{
    owner = getpid();
}

/* The C library's functions, found when the library starts: a vfork
 * child must not run dlsym (it may allocate). */
static void (*real__exit)(int);
static void (*real__Exit)(int);
static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_execv)(const char *, char *const[]);
static int (*real_execvp)(const char *, char *const[]);
static int (*real_execvpe)(const char *, char *const[], char *const[]);
static int (*real_fexecve)(int, char *const[], char *const[]);
static int (*real_execveat)(int, const char *, char *const[], char *const[],
                            int);

#define FIND(name) (real_##name = (__typeof__(real_##name))dlsym(RTLD_NEXT, #name))

static void
find_real_functions(void)
{
    FIND(_exit);
    FIND(_Exit);
    FIND(execve);
    FIND(execv);
    FIND(execvp);
    FIND(execvpe);
    FIND(fexecve);
    FIND(execveat);
}

__attribute__((constructor)) static void
preload_exit_start(void)
{
    note_owner();
    find_real_functions();
    lifecycle_at_fork_child(note_owner);
}

/* Called before the constructor (by another library's): find them now. */
#define REAL(name) (real_##name ? real_##name : (find_real_functions(), real_##name))

static bool
own_process(void)
{
    return owner != 0 && getpid() == owner;
}

/* _exit, _Exit and their real function: check, then end.  Reports made
 * in the check end the process with _exit(134) (report.c): it has
 * chosen not to flush its stdio buffers, and they stay unflushed. */
HOOK_PATH static _Noreturn void
end_process(void (*real)(int), int status, uintptr_t stack_from)
{
    if (own_process())
        lifecycle_at_exit(LIFECYCLE__EXIT, stack_from);
    if (real)
        real(status);
    for (;;) /* no C library function: end it ourselves */
        syscall(SYS_exit_group, status);
}

PRELOAD_API void
_exit(int status)
{
    end_process(REAL(_exit), status, (uintptr_t)__builtin_frame_address(0));
}

PRELOAD_API void
_Exit(int status)
{
    end_process(REAL(_Exit), status, (uintptr_t)__builtin_frame_address(0));
}

HOOK_PATH static void
before_exec(void)
{
    if (own_process())
        lifecycle_at_exit(LIFECYCLE_EXEC, 0);
}

/* No function of the C library: like it, say the exec failed. */
static int
missing(void)
{
    errno = ENOSYS;
    return -1;
}

PRELOAD_API int
execve(const char *path, char *const argv[], char *const envp[])
{
    before_exec();
    return REAL(execve) ? real_execve(path, argv, envp) : missing();
}

PRELOAD_API int
execv(const char *path, char *const argv[])
{
    before_exec();
    return REAL(execv) ? real_execv(path, argv) : missing();
}

PRELOAD_API int
execvp(const char *file, char *const argv[])
{
    before_exec();
    return REAL(execvp) ? real_execvp(file, argv) : missing();
}

PRELOAD_API int
execvpe(const char *file, char *const argv[], char *const envp[])
{
    before_exec();
    return REAL(execvpe) ? real_execvpe(file, argv, envp) : missing();
}

PRELOAD_API int
fexecve(int fd, char *const argv[], char *const envp[])
{
    before_exec();
    return REAL(fexecve) ? real_fexecve(fd, argv, envp) : missing();
}

PRELOAD_API int
execveat(int dirfd, const char *path, char *const argv[],
         char *const envp[], int flags)
{
    before_exec();
    return REAL(execveat) ? real_execveat(dirfd, path, argv, envp, flags)
                          : missing();
}

/*
 * The execl family takes its arguments one by one: gather them into an
 * array, as the C library does, and go on as execv*.  The array is on
 * the stack up to ARGS_ON_STACK arguments, else mapped (no malloc: this
 * may be a vfork child); a failed exec unmaps it.
 */
#define ARGS_ON_STACK 256

struct arg_list {
    const char *on_stack[ARGS_ON_STACK];
    const char **args;
    size_t bytes; /* mapped, or 0 */
};

/* Gather ARG0 and the rest of *AP (which ends with a null pointer) into
 * LIST; *COUNT_AP, started like *AP, is walked first to count them.
 * *AP is left after the null pointer (execle's envp comes next). */
static bool
gather(struct arg_list *list, const char *arg0, va_list *count_ap, va_list *ap)
{
    size_t n = 1;
    while (va_arg(*count_ap, const char *))
        n++;
    list->args = list->on_stack;
    list->bytes = 0;
    if (n + 1 > ARGS_ON_STACK) {
        list->bytes = (n + 1) * sizeof *list->args;
        void *m = mmap(NULL, list->bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            errno = E2BIG;
            return false;
        }
        list->args = m;
    }
    list->args[0] = arg0;
    for (size_t i = 1; i <= n; i++)
        list->args[i] = va_arg(*ap, const char *);
    return true;
}

static int
failed(struct arg_list *list)
{
    int saved_errno = errno;
    if (list->bytes)
        munmap(list->args, list->bytes);
    errno = saved_errno;
    return -1;
}

PRELOAD_API int
execl(const char *path, const char *arg, ...)
{
    struct arg_list list;
    va_list count_ap, ap;
    va_start(count_ap, arg);
    va_start(ap, arg);
    bool ok = gather(&list, arg, &count_ap, &ap);
    va_end(count_ap);
    va_end(ap);
    if (!ok)
        return -1;
    execv(path, (char *const *)list.args);
    return failed(&list);
}

PRELOAD_API int
execlp(const char *file, const char *arg, ...)
{
    struct arg_list list;
    va_list count_ap, ap;
    va_start(count_ap, arg);
    va_start(ap, arg);
    bool ok = gather(&list, arg, &count_ap, &ap);
    va_end(count_ap);
    va_end(ap);
    if (!ok)
        return -1;
    execvp(file, (char *const *)list.args);
    return failed(&list);
}

PRELOAD_API int
execle(const char *path, const char *arg, ...)
{
    struct arg_list list;
    va_list count_ap, ap;
    va_start(count_ap, arg);
    va_start(ap, arg);
    bool ok = gather(&list, arg, &count_ap, &ap);
    char *const *envp = va_arg(ap, char *const *); /* after the null */
    va_end(count_ap);
    va_end(ap);
    if (!ok)
        return -1;
    execve(path, (char *const *)list.args, envp);
    return failed(&list);
}
