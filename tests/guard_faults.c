/* SPDX-License-Identifier: MIT */
/*
 * guard_faults.c -- faults and signal dispositions, for guard_signals.sh.
 * Run as `guard_faults MODE`.  The modes that touch no deadbyte block
 * must behave the same with and without deadbyte (output, exit status,
 * death by signal); the others fault on a guard page of a large block
 * and must be reported.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* when built alone, by guard_signals.sh */
#endif
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* sigset, sigignore and siginterrupt are obsolete, and said so: they are
 * what this tests. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
/* stack-overflow recurses until the stack ends, on purpose. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"
/* Not declared for _GNU_SOURCE. */
__sighandler_t bsd_signal(int sig, __sighandler_t handler);

#define LARGE 300000

static sigjmp_buf back;
static void *volatile own_page;

static void
say(const char *s)
{
    ssize_t n = write(STDOUT_FILENO, s, strlen(s));
    (void)n;
}

/* Hides where P came from and what it holds from the compiler. */
__attribute__((noinline)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

/* Read N bytes from P on, one at a time. */
__attribute__((noinline)) static unsigned long
read_bytes(const unsigned char *p, size_t n)
{
    unsigned long sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ((const volatile unsigned char *)p)[i]; /* READ_LINE */
    return sum;
}

__attribute__((noinline)) static void
write_byte(unsigned char *p, ptrdiff_t at)
{
    ((volatile unsigned char *)p)[at] = 1; /* WRITE_LINE */
}

static void
on_own_fault(int sig, siginfo_t *info, void *context)
{
    (void)context;
    if (sig == SIGSEGV && info->si_addr == own_page &&
        info->si_code == SEGV_ACCERR)
        say("program's handler: a fault on its own page\n");
    else
        say("program's handler: another fault\n");
    siglongjmp(back, 1);
}

static void
plain_handler(int sig)
{
    say(sig == SIGSEGV ? "plain handler: SIGSEGV\n" : "plain handler: ?\n");
    _exit(3);
}

static void *
map_own_page(void)
{
    void *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
    if (page == MAP_FAILED)
        exit(99);
    return page;
}

/* A fault on a page the program mapped itself, to its SA_SIGINFO
 * handler, which jumps out. */
static int
own_fault(void)
{
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_sigaction = on_own_fault;
    act.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &act, NULL);
    own_page = map_own_page();
    if (sigsetjmp(back, 1) == 0)
        write_byte(own_page, 0);
    say("after the fault\n");
    return 0;
}

/* The same with signal(): a handler of the signal number alone. */
static int
own_fault_signal(void)
{
    signal(SIGSEGV, plain_handler);
    write_byte(map_own_page(), 8);
    return 0;
}

static void h1(int sig) { (void)sig; }
static void h2(int sig) { (void)sig; }

static const char *
name_of(void (*h)(int))
{
    return h == SIG_DFL ? "SIG_DFL" : h == SIG_IGN ? "SIG_IGN"
           : h == h1    ? "h1"      : h == h2      ? "h2"
           : h == SIG_HOLD ? "SIG_HOLD" : h == SIG_ERR ? "SIG_ERR" : "other";
}

static void
show(const char *what, const struct sigaction *act)
{
    printf("%s: %s flags %#x mask", what, name_of(act->sa_handler),
           (unsigned)act->sa_flags);
    for (int sig = 1; sig < 32; sig++)
        if (sigismember(&act->sa_mask, sig))
            printf(" %d", sig);
    printf("\n");
}

static void
query(const char *what, int sig)
{
    struct sigaction act;
    memset(&act, 0x55, sizeof act);
    if (sigaction(sig, NULL, &act) != 0)
        printf("%s: failed\n", what);
    else
        show(what, &act);
}

/* What the program installs is what it gets back, whatever function it
 * used; other signals are untouched. */
static int
dispositions(void)
{
    query("SIGSEGV at start", SIGSEGV);
    query("SIGBUS at start", SIGBUS);
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = h1;
    act.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART | SA_ONSTACK;
    sigemptyset(&act.sa_mask);
    sigaddset(&act.sa_mask, SIGUSR1);
    sigaddset(&act.sa_mask, SIGKILL);
    memset(&old, 0x55, sizeof old);
    sigaction(SIGSEGV, &act, &old);
    show("sigaction h1 gave", &old);
    query("then", SIGSEGV);
    printf("signal h2 gave %s\n", name_of(signal(SIGSEGV, h2)));
    query("then", SIGSEGV);
    printf("sysv_signal h1 gave %s\n", name_of(sysv_signal(SIGBUS, h1)));
    query("then SIGBUS", SIGBUS);
    printf("sigset SIG_IGN gave %s\n", name_of(sigset(SIGBUS, SIG_IGN)));
    query("then SIGBUS", SIGBUS);
    printf("sigset SIG_HOLD gave %s\n", name_of(sigset(SIGBUS, SIG_HOLD)));
    printf("sigset h2 gave %s\n", name_of(sigset(SIGBUS, h2)));
    printf("sigignore: %d\n", sigignore(SIGSEGV));
    query("then", SIGSEGV);
    printf("siginterrupt: %d\n", siginterrupt(SIGSEGV, 1));
    query("then", SIGSEGV);
    printf("signal h1 gave %s\n", name_of(signal(SIGSEGV, h1)));
    query("then", SIGSEGV);
    printf("siginterrupt: %d\n", siginterrupt(SIGSEGV, 0));
    query("then", SIGSEGV);
    printf("bsd_signal SIG_DFL gave %s\n",
           name_of(bsd_signal(SIGSEGV, SIG_DFL)));
    /* Another signal goes straight to the C library. */
    printf("signal SIGUSR1 h2 gave %s\n", name_of(signal(SIGUSR1, h2)));
    query("SIGUSR1", SIGUSR1);
    /* A vfork child's wish is its own: the parent's stays. */
    signal(SIGSEGV, h2);
    pid_t child = vfork();
    if (child == 0) {
        signal(SIGSEGV, SIG_IGN);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    query("after a vfork child's signal", SIGSEGV);
    fflush(stdout);
    return 0;
}

/* A NULL dereference (of a field 16 bytes in: UBSan's build stops at a
 * store to NULL itself), no handler: death by SIGSEGV, with a core. */
static int
null_pointer(void)
{
    say("dereferencing NULL\n");
    write_byte(launder((void *)16), 0);
    say("still here\n");
    return 0;
}

static int resets;

static void
on_reset(int sig, siginfo_t *info, void *context)
{
    (void)sig, (void)info, (void)context;
    resets++;
    say("handler with SA_RESETHAND\n");
    siglongjmp(back, 1);
}

/* SA_RESETHAND: the first fault goes to the handler, which is then
 * SIG_DFL: the second kills. */
static int
reset_hand(void)
{
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_sigaction = on_reset;
    act.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigaction(SIGSEGV, &act, NULL);
    void *page = map_own_page();
    if (sigsetjmp(back, 1) == 0)
        write_byte(page, 0);
    query("after the first fault", SIGSEGV);
    fflush(stdout);
    write_byte(page, 0);
    say("still here\n");
    return 0;
}

static void
on_masked(int sig, siginfo_t *info, void *context)
{
    (void)sig, (void)info, (void)context;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    char line[64];
    snprintf(line, sizeof line, "in handler: SEGV %d USR1 %d USR2 %d\n",
             sigismember(&now, SIGSEGV), sigismember(&now, SIGUSR1),
             sigismember(&now, SIGUSR2));
    say(line);
    siglongjmp(back, 1);
}

/* The mask in the program's handler is the kernel's: its sa_mask, and
 * the signal itself unless SA_NODEFER. */
static int
masks(void)
{
    void *page = map_own_page();
    for (volatile int nodefer = 0; nodefer < 2; nodefer++) {
        struct sigaction act;
        memset(&act, 0, sizeof act);
        act.sa_sigaction = on_masked;
        act.sa_flags = SA_SIGINFO | (nodefer ? SA_NODEFER : 0);
        sigemptyset(&act.sa_mask);
        sigaddset(&act.sa_mask, SIGUSR1);
        sigaction(SIGSEGV, &act, NULL);
        if (sigsetjmp(back, 1) == 0)
            write_byte(page, 0);
    }
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("after: SEGV %d USR1 %d\n", sigismember(&now, SIGSEGV),
           sigismember(&now, SIGUSR1));
    return 0;
}

static void
on_sent(int sig, siginfo_t *info, void *context)
{
    (void)sig, (void)context;
    say(info->si_code == SI_TKILL ? "handler: sent by tgkill\n"
                                  : "handler: other code\n");
}

/* raise(SIGSEGV): to the handler, ignored under SIG_IGN, deadly under
 * SIG_DFL. */
static int
sent(void)
{
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_sigaction = on_sent;
    act.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &act, NULL);
    raise(SIGSEGV);
    say("back\n");
    signal(SIGSEGV, SIG_IGN);
    raise(SIGSEGV);
    say("ignored\n");
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
    say("still here\n");
    return 0;
}

static char *alt_stack;

static void
on_overflow(int sig)
{
    (void)sig;
    char here;
    say(&here >= alt_stack && &here < alt_stack + 65536
            ? "handler on the alternate stack\n"
            : "handler elsewhere\n");
    _exit(42);
}

__attribute__((noinline)) static int
recurse(int n)
{
    volatile char frame[1024];
    frame[0] = (char)n;
    return recurse(n + 1) + frame[0];
}

/* A stack overflow, caught by a handler on an alternate stack. */
static int
stack_overflow(void)
{
    static char stack[65536];
    alt_stack = stack;
    stack_t ss = {.ss_sp = stack, .ss_size = sizeof stack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = on_overflow;
    act.sa_flags = SA_ONSTACK;
    sigaction(SIGSEGV, &act, NULL);
    return recurse(0);
}

/* ---- Faults on deadbyte's guard pages: reports ---------------------- */

static void *
overread(void *block)
{
    read_bytes(block, LARGE + 8192);
    return NULL;
}

/* A read past the end of a large block, in another thread. */
static int
thread_guard(void)
{
    unsigned char *block = launder(malloc(LARGE));
    memset(block, 1, LARGE);
    pthread_t thread;
    if (pthread_create(&thread, NULL, overread, block) != 0)
        return 99;
    pthread_join(thread, NULL);
    return 0;
}

/* The same with a handler of the program's installed: deadbyte's
 * report, not the handler. */
static int
guard_with_handler(void)
{
    signal(SIGSEGV, plain_handler);
    unsigned char *block = launder(malloc(LARGE));
    memset(block, 1, LARGE);
    overread(block);
    return 0;
}

/* The same with the program's handler on a small alternate stack, as
 * many programs have (8 KiB, or a page more than the kernel says a
 * signal frame may need on this machine), the page below it unmapped:
 * deadbyte's report, which needs about 20 KiB, must not overflow it. */
static int
guard_on_altstack(void)
{
    size_t size = 8192;
#ifdef _SC_MINSIGSTKSZ
    long least = sysconf(_SC_MINSIGSTKSZ);
    if (least > 0 && (size_t)least + 4096 > size)
        size = ((size_t)least + 4096 + 4095) & ~(size_t)4095;
#endif
    char *m = mmap(NULL, size + 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || mprotect(m, 4096, PROT_NONE) != 0)
        return 99;
    stack_t ss = {.ss_sp = m + 4096, .ss_size = size, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = plain_handler;
    act.sa_flags = SA_ONSTACK;
    sigaction(SIGSEGV, &act, NULL);
    unsigned char *block = launder(malloc(LARGE));
    memset(block, 1, LARGE);
    overread(block);
    return 0;
}

/* In a child made by fork, whose handler the program installed after
 * the fork: the child's fault on a guard page is reported (it would go
 * to the program's handler if the child took itself for a vfork child,
 * whose dispositions go straight to the kernel). */
static int
fork_guard(void)
{
    signal(SIGSEGV, plain_handler);
    unsigned char *block = launder(malloc(LARGE));
    memset(block, 1, LARGE);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        signal(SIGSEGV, plain_handler);
        overread(block);
        _exit(0);
    }
    int status;
    if (child < 0 || waitpid(child, &status, 0) != child)
        return 99;
    printf("child: %s %d\n", WIFSIGNALED(status) ? "killed by signal" : "exited",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    return 0;
}

/* A write just before the start of a large block. */
static int
write_before(void)
{
    unsigned char *block = launder(malloc(LARGE));
    write_byte(block, -17);
    return 0;
}

/* A read past the end of a large block freed already. */
static int
freed_guard(void)
{
    void *volatile block = malloc(LARGE);
    free(block);
    overread(block);
    return 0;
}

/* How MODE ends, in a child: "exited N" or "killed by signal N". */
static int
how_it_ends(const char *self, const char *mode)
{
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        execl(self, self, mode, (char *)NULL);
        _exit(127);
    }
    int status;
    if (child < 0 || waitpid(child, &status, 0) != child)
        return 99;
    if (WIFSIGNALED(status))
        printf("%s: killed by signal %d\n", mode, WTERMSIG(status));
    else
        printf("%s: exited %d\n", mode, WEXITSTATUS(status));
    return 0;
}

int
main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(void);
    } modes[] = {
        {"own-fault", own_fault},
        {"own-fault-signal", own_fault_signal},
        {"dispositions", dispositions},
        {"null", null_pointer},
        {"resethand", reset_hand},
        {"masks", masks},
        {"sent", sent},
        {"stack-overflow", stack_overflow},
        {"thread-guard", thread_guard},
        {"guard-with-handler", guard_with_handler},
        {"guard-on-altstack", guard_on_altstack},
        {"fork-guard", fork_guard},
        {"write-before", write_before},
        {"freed-guard", freed_guard},
    };
    if (argc == 3 && strcmp(argv[1], "wait") == 0)
        return how_it_ends(argv[0], argv[2]);
    for (size_t i = 0; argc == 2 && i < sizeof modes / sizeof *modes; i++)
        if (strcmp(argv[1], modes[i].name) == 0)
            return modes[i].run();
    fprintf(stderr, "usage: guard_faults MODE\n");
    return 2;
}
