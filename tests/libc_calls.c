/* SPDX-License-Identifier: MIT */
/*
 * libc_calls.c -- every C library call that deadbyte checks
 * (lib/intercept.def), made correctly, on deadbyte's blocks, on the stack
 * and on static data, with its result compared with the value expected:
 * the interposers must return what the C library returns, set errno as
 * it does, and report nothing.  The calls at the edge of a block are the
 * ones a checker could get wrong: a memcpy of 0 bytes at its end, a
 * string that ends on its last byte, a memchr, strcmp or memcmp that
 * stops before its end, an overlapping memmove, a block used up to
 * malloc_usable_size(), an snprintf whose output fits; and calls from a
 * constructor, before main, from a signal handler and a vfork child.
 *
 * Built with -fno-builtin, so that every call is made.  Prints "ok" and
 * exits 0; else names each failed line.  Run by tests/intercept.sh,
 * plain and under the launcher.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>

/* GCC's fortify entry points, as fortified programs call them. */
void *__memcpy_chk(void *, const void *, size_t, size_t);
void *__mempcpy_chk(void *, const void *, size_t, size_t);
void *__memmove_chk(void *, const void *, size_t, size_t);
void *__memset_chk(void *, int, size_t, size_t);
char *__strcpy_chk(char *, const char *, size_t);
char *__stpcpy_chk(char *, const char *, size_t);
char *__strncpy_chk(char *, const char *, size_t, size_t);
char *__stpncpy_chk(char *, const char *, size_t, size_t);
char *__strcat_chk(char *, const char *, size_t);
char *__strncat_chk(char *, const char *, size_t, size_t);
ssize_t __read_chk(int, void *, size_t, size_t);
ssize_t __pread_chk(int, void *, size_t, off_t, size_t);
ssize_t __pread64_chk(int, void *, size_t, off64_t, size_t);
size_t __fread_chk(void *, size_t, size_t, size_t, FILE *);
size_t __fread_unlocked_chk(void *, size_t, size_t, size_t, FILE *);
char *__fgets_chk(char *, size_t, int, FILE *);
ssize_t __recv_chk(int, void *, size_t, size_t, int);
ssize_t __recvfrom_chk(int, void *, size_t, size_t, int, struct sockaddr *,
                       socklen_t *);
int __snprintf_chk(char *, size_t, int, size_t, const char *, ...);
int __vsnprintf_chk(char *, size_t, int, size_t, const char *, va_list);
int __sprintf_chk(char *, int, size_t, const char *, ...);
int __vsprintf_chk(char *, int, size_t, const char *, va_list);
wchar_t *__wmemcpy_chk(wchar_t *, const wchar_t *, size_t, size_t);
wchar_t *__wmemmove_chk(wchar_t *, const wchar_t *, size_t, size_t);
wchar_t *__wmemset_chk(wchar_t *, wchar_t, size_t, size_t);
wchar_t *__wcscpy_chk(wchar_t *, const wchar_t *, size_t);
wchar_t *__wcpcpy_chk(wchar_t *, const wchar_t *, size_t);
wchar_t *__wcsncpy_chk(wchar_t *, const wchar_t *, size_t, size_t);
wchar_t *__wcscat_chk(wchar_t *, const wchar_t *, size_t);
wchar_t *__wcsncat_chk(wchar_t *, const wchar_t *, size_t, size_t);

static int failures;

#define EXPECT(cond)                                                           \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "libc_calls.c:%d: %s\n", __LINE__, #cond);         \
            failures++;                                                        \
        }                                                                      \
    } while (0)

/* A block of exactly N bytes holding BYTES (no terminator added). */
static char *
block(const char *bytes, size_t n)
{
    char *p = malloc(n);
    if (!p)
        abort();
    for (size_t i = 0; i < n; i++) /* not memcpy: the calls are the test */
        p[i] = bytes[i];
    return p;
}

static wchar_t *
wblock(const wchar_t *chars, size_t n)
{
    wchar_t *p = malloc(n * sizeof *p);
    if (!p)
        abort();
    for (size_t i = 0; i < n; i++)
        p[i] = chars[i];
    return p;
}

/* Calls before main: the program's constructor, after deadbyte's. */
static int before_main;

__attribute__((constructor)) static void
early(void)
{
    char *p = block("early", 6);
    char buf[8];
    char *d = strdup(p);
    before_main = strlen(p) == 5 &&
                  memcmp(memcpy(buf, p, 6), "early", 6) == 0 && d &&
                  strcmp(d, "early") == 0;
    free(d);
    free(p);
}

/* Calls from a signal handler: memcpy and write of a heap block. */
static char *handler_block;
static volatile sig_atomic_t handler_ok;

static void
on_signal(int sig)
{
    (void)sig;
    char buf[4];
    int fd = open("/dev/null", O_WRONLY);
    handler_ok = memcpy(buf, handler_block, 4) == buf &&
                 write(fd, handler_block, 4) == 4;
    close(fd);
}

__attribute__((format(printf, 3, 4))) static int
call_vsnprintf(char *b, size_t n, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = vsnprintf(b, n, f, ap);
    va_end(ap);
    return r;
}

__attribute__((format(printf, 2, 3))) static int
call_vsprintf(char *b, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = vsprintf(b, f, ap);
    va_end(ap);
    return r;
}

__attribute__((format(printf, 4, 5))) static int
call_vsnprintf_chk(char *b, size_t n, size_t l, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = __vsnprintf_chk(b, n, 1, l, f, ap);
    va_end(ap);
    return r;
}

__attribute__((format(printf, 3, 4))) static int
call_vsprintf_chk(char *b, size_t l, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = __vsprintf_chk(b, 1, l, f, ap);
    va_end(ap);
    return r;
}

/* The byte functions on A, a buffer of at least 16 bytes (heap, stack
 * or static), whose contents they change. */
static void
bytes_on(char *a)
{
    static const char text[] = "hello, world";
    EXPECT(memcpy(a, text, 13) == a && a[12] == '\0');
    EXPECT(mempcpy(a, text, 13) == a + 13);
    EXPECT(memmove(a + 1, a, 12) == a + 1 && a[1] == 'h' && a[12] == 'd');
    EXPECT(memmove(a, a + 1, 12) == a && a[0] == 'h');
    EXPECT(memset(a, 'x', 16) == a && a[15] == 'x');
    bzero(a, 16);
    EXPECT(a[0] == 0 && a[15] == 0);
    memset(a, 1, 16);
    explicit_bzero(a, 16);
    EXPECT(a[7] == 0);
    memcpy(a, text, 13);
    EXPECT(memcmp(a, "hello, wXrld", 12) > 0);
    EXPECT(memcmp(a, text, 13) == 0);
    EXPECT(bcmp(a, text, 13) == 0 && bcmp(a, "hellO", 5) != 0);
    EXPECT(memchr(a, 'w', 13) == a + 7 && memchr(a, 'q', 13) == NULL);
    EXPECT(memrchr(a, 'o', 13) == a + 8);
    EXPECT(strlen(a) == 12 && strnlen(a, 5) == 5 && strnlen(a, 99) == 12);
    EXPECT(strcpy(a, "abc") == a && strcmp(a, "abc") == 0);
    EXPECT(stpcpy(a, "abcd") == a + 4);
    EXPECT(strncpy(a, "ab", 6) == a && a[1] == 'b' && a[5] == 0);
    EXPECT(stpncpy(a, "abc", 5) == a + 3 && a[4] == 0);
    EXPECT(strcat(a, "de") == a && strcmp(a, "abcde") == 0);
    EXPECT(strncat(a, "fghij", 2) == a && strcmp(a, "abcdefg") == 0);
    EXPECT(strncmp(a, "abcdX", 4) == 0 && strncmp(a, "abd", 3) < 0);
    EXPECT(strcasecmp(a, "ABCDEFG") == 0 && strncasecmp(a, "ABCX", 3) == 0);
    EXPECT(strchr(a, 'd') == a + 3 && strchr(a, 'z') == NULL &&
           strchr(a, '\0') == a + 7);
    EXPECT(strrchr(a, 'a') == a && strchrnul(a, 'z') == a + 7);
    EXPECT(strstr(a, "cde") == a + 2 && strstr(a, "x") == NULL &&
           strstr(a, "") == a);
    EXPECT(strspn(a, "abc") == 3 && strcspn(a, "ed") == 3);
    EXPECT(strpbrk(a, "fe") == a + 4 && strpbrk(a, "xyz") == NULL);
    char *d = strdup(a);
    EXPECT(d && strcmp(d, a) == 0);
    free(d);
    d = strndup(a, 3);
    EXPECT(d && strcmp(d, "abc") == 0);
    free(d);
    EXPECT(snprintf(a, 16, "%d-%s", 42, "x") == 4 && strcmp(a, "42-x") == 0);
    EXPECT(snprintf(a, 3, "%d", 12345) == 5 && strcmp(a, "12") == 0);
    EXPECT(sprintf(a, "%s!", "hi") == 3 && strcmp(a, "hi!") == 0);
    EXPECT(call_vsnprintf(a, 16, "%x", 255) == 2 && strcmp(a, "ff") == 0);
    EXPECT(call_vsprintf(a, "%c%c", 'o', 'k') == 2 && strcmp(a, "ok") == 0);
    EXPECT(snprintf(a, 0, "%d", 7) == 1);
    /* The fortify entry points, with the right object sizes. */
    EXPECT(__memcpy_chk(a, text, 13, 16) == a && strcmp(a, text) == 0);
    EXPECT(__mempcpy_chk(a, text, 13, 16) == a + 13);
    EXPECT(__memmove_chk(a, a + 7, 6, 16) == a && strcmp(a, "world") == 0);
    EXPECT(__memset_chk(a, 'y', 4, 16) == a && a[3] == 'y');
    EXPECT(__strcpy_chk(a, "mno", 16) == a && strcmp(a, "mno") == 0);
    EXPECT(__stpcpy_chk(a, "mnop", 16) == a + 4);
    EXPECT(__strncpy_chk(a, "pq", 4, 16) == a && a[3] == 0);
    EXPECT(__stpncpy_chk(a, "pq", 4, 16) == a + 2);
    EXPECT(__strcat_chk(a, "rs", 16) == a && strcmp(a, "pqrs") == 0);
    EXPECT(__strncat_chk(a, "tuv", 1, 16) == a && strcmp(a, "pqrst") == 0);
    EXPECT(__snprintf_chk(a, 16, 1, 16, "%d", 99) == 2 && strcmp(a, "99") == 0);
    EXPECT(call_vsnprintf_chk(a, 8, 16, "%s", "vv") == 2);
    EXPECT(__sprintf_chk(a, 1, 16, "%d", 123) == 3 && strcmp(a, "123") == 0);
    EXPECT(call_vsprintf_chk(a, 16, "%d", 45) == 2 && strcmp(a, "45") == 0);
}

/* The wide functions on W, at least 8 wide characters. */
static void
wide_on(wchar_t *w)
{
    EXPECT(wmemcpy(w, L"abcdef", 7) == w && wcscmp(w, L"abcdef") == 0);
    EXPECT(wmemmove(w + 1, w, 6) == w + 1 && w[1] == L'a');
    EXPECT(wmemset(w, L'z', 8) == w && w[7] == L'z');
    wcscpy(w, L"abc");
    EXPECT(wmemcmp(w, L"abd", 3) < 0 && wmemchr(w, L'c', 3) == w + 2);
    EXPECT(wcslen(w) == 3 && wcsnlen(w, 2) == 2);
    EXPECT(wcpcpy(w, L"xy") == w + 2);
    EXPECT(wcsncpy(w, L"x", 3) == w && w[2] == 0);
    EXPECT(wcscat(w, L"yz") == w && wcscmp(w, L"xyz") == 0);
    EXPECT(wcsncat(w, L"123", 1) == w && wcscmp(w, L"xyz1") == 0);
    EXPECT(wcsncmp(w, L"xyQ", 2) == 0 && wcschr(w, L'z') == w + 2);
    EXPECT(wcsrchr(w, L'x') == w);
    wchar_t *d = wcsdup(w);
    EXPECT(d && wcscmp(d, L"xyz1") == 0);
    free(d);
    EXPECT(__wmemcpy_chk(w, L"abc", 4, 8) == w);
    EXPECT(__wmemmove_chk(w, w + 1, 3, 8) == w && wcscmp(w, L"bc") == 0);
    EXPECT(__wmemset_chk(w, L'q', 2, 8) == w && w[1] == L'q');
    EXPECT(__wcscpy_chk(w, L"ab", 8) == w && __wcpcpy_chk(w, L"abc", 8) == w + 3);
    EXPECT(__wcsncpy_chk(w, L"a", 3, 8) == w && w[2] == 0);
    EXPECT(__wcscat_chk(w, L"b", 8) == w && __wcsncat_chk(w, L"cd", 1, 8) == w &&
           wcscmp(w, L"abc") == 0);
}

/* Input and output into and out of B, a buffer of at least 16 bytes. */
static void
io_on(char *b)
{
    int fds[2];
    if (pipe(fds) != 0)
        abort();
    memcpy(b, "0123456789abcdef", 16);
    EXPECT(write(fds[1], b, 16) == 16);
    EXPECT(read(fds[0], b, 16) == 16 && b[15] == 'f');
    struct iovec iov[2] = {{b, 8}, {b + 8, 8}};
    EXPECT(writev(fds[1], iov, 2) == 16 && readv(fds[0], iov, 2) == 16);
    EXPECT(write(fds[1], b, 4) == 4 && __read_chk(fds[0], b, 4, 16) == 4);
    close(fds[0]);
    close(fds[1]);

    FILE *f = tmpfile();
    if (!f)
        abort();
    EXPECT(fwrite(b, 1, 16, f) == 16 && fflush(f) == 0);
    EXPECT(pwrite(fileno(f), "XY", 2, 0) == 2);
    EXPECT(pwrite64(fileno(f), "Z", 1, 2) == 1);
    fflush(f);
    EXPECT(pread(fileno(f), b, 16, 0) == 16 && b[0] == 'X' && b[2] == 'Z');
    EXPECT(pread64(fileno(f), b, 4, 1) == 4 && b[0] == 'Y');
    EXPECT(__pread_chk(fileno(f), b, 2, 0, 16) == 2 &&
           __pread64_chk(fileno(f), b, 2, 0, 16) == 2);
    rewind(f);
    EXPECT(fread(b, 4, 4, f) == 4 && b[0] == 'X');
    rewind(f);
    EXPECT(fread_unlocked(b, 1, 16, f) == 16);
    rewind(f);
    EXPECT(__fread_chk(b, 16, 1, 16, f) == 16);
    rewind(f);
    EXPECT(__fread_unlocked_chk(b, 16, 2, 8, f) == 8);
    rewind(f);
    fputs("line\nmore", f);
    rewind(f);
    EXPECT(fgets(b, 16, f) == b && strcmp(b, "XYZ3456789abcdef") != 0);
    rewind(f);
    EXPECT(__fgets_chk(b, 16, 16, f) == b);
    fclose(f);

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        abort();
    memcpy(b, "socket", 7);
    EXPECT(send(sv[0], b, 7, 0) == 7 && recv(sv[1], b, 16, 0) == 7);
    EXPECT(sendto(sv[0], b, 7, 0, NULL, 0) == 7 &&
           recvfrom(sv[1], b, 16, 0, NULL, NULL) == 7);
    EXPECT(send(sv[0], b, 2, 0) == 2 && __recv_chk(sv[1], b, 16, 16, 0) == 2);
    EXPECT(send(sv[0], b, 2, 0) == 2 &&
           __recvfrom_chk(sv[1], b, 16, 16, 0, NULL, NULL) == 2);
    close(sv[0]);
    close(sv[1]);

    /* The C library's errno, untouched by the checks. */
    errno = 0;
    EXPECT(read(-1, b, 16) == -1 && errno == EBADF);
    errno = 0;
    EXPECT(write(-1, b, 16) == -1 && errno == EBADF);
    errno = 0;
    EXPECT(recv(-1, b, 16, 0) == -1 && errno == EBADF);
}

/* The edges of blocks, which are correct. */
static void
edges(void)
{
    char *p = block("0123456789abcdef", 16);
    char buf[32];
    char *d;
    EXPECT(memcpy(p + 16, buf, 0) == p + 16); /* 0 bytes at the end */
    EXPECT(memcpy(buf, p + 16, 0) == buf);
    EXPECT(memset(p + 16, 0, 0) == p + 16 && memcmp(p + 16, buf, 0) == 0);
    EXPECT(read(0, p + 16, 0) == 0 && strncmp(p + 16, "x", 0) == 0);
    EXPECT(memmove(p + 1, p, 15) == p + 1 && p[15] == 'e'); /* overlapping */
    EXPECT(memmove(p, p + 1, 15) == p && p[14] == 'e');
    /* A string that ends on the block's last byte. */
    char *s = block("hello", 6);
    EXPECT(strlen(s) == 5 && strrchr(s, 'l') == s + 3);
    d = strdup(s);
    EXPECT(d && strcmp(d, s) == 0);
    free(d);
    EXPECT(strcpy(buf, s) == buf && strcat(buf, s) == buf);
    d = realloc(block("ab", 3), 11);
    EXPECT(d && strcat(d, "cdefghij") == d && strlen(d) == 10);
    free(d);
    /* Functions that stop before the end of an unterminated block. */
    char *u = block("abcdefgh", 8); /* no terminator */
    char *v = block("abcdefgX", 8);
    EXPECT(memchr(u, 'c', 100) == u + 2);
    EXPECT(memcmp(u, "abX", 1000) > 0 && memcmp(u, v, 100) != 0);
    EXPECT(strcmp(u, "abX") > 0 && strcmp(u, v) != 0);
    EXPECT(strncmp(u, v, 100) != 0 && strncasecmp(u, "ABCDEFGX", 50) != 0);
    EXPECT(strchr(u, 'h') == u + 7 && strchrnul(u, 'e') == u + 4);
    EXPECT(strstr(u, "def") == u + 3 && strspn(u, "abc") == 3);
    EXPECT(strcspn(u, "d") == 3 && strpbrk(u, "hg") == u + 6);
    EXPECT(strnlen(u, 8) == 8 && strncpy(buf, u, 8) == buf);
    d = strndup(u, 8);
    EXPECT(d && strlen(d) == 8);
    free(d);
    /* A block used up to what malloc_usable_size says. */
    size_t usable = malloc_usable_size(u);
    EXPECT(usable >= 8);
    EXPECT(memset(u, 'u', usable) == u && memchr(u, 'v', usable) == NULL);
    /* snprintf whose output fits, with a size that says more. */
    char *f = malloc(4);
    EXPECT(f && snprintf(f, 100, "%d", 123) == 3 && strcmp(f, "123") == 0);
    EXPECT(sprintf(f, "%s", "abc") == 3);
    EXPECT(__sprintf_chk(f, 1, (size_t)-1, "%d", 12) == 2);
    EXPECT(__snprintf_chk(f, 100, 1, (size_t)-1, "%d", 12) == 2);
    /* Wide strings to the last element. */
    wchar_t *w = wblock(L"wide", 5);
    EXPECT(wcslen(w) == 4 && wcschr(w, L'e') == w + 3);
    wchar_t *wd = wcsdup(w);
    EXPECT(wd && wcscmp(wd, w) == 0);
    free(wd);
    wchar_t *wu = wblock(L"wxyz", 4); /* no terminator */
    EXPECT(wmemchr(wu, L'x', 100) == wu + 1 && wcsncmp(wu, L"wxQ", 100) != 0);
    EXPECT(wmemcmp(wu, L"wQ", 100) != 0 && wcsnlen(wu, 4) == 4);
    free(p);
    free(s);
    free(u);
    free(v);
    free(f);
    free(w);
    free(wu);
}

static char static_bytes[32];
static wchar_t static_wide[8];

int
main(void)
{
    EXPECT(before_main);

    char *heap = malloc(32);
    char stack[32];
    bytes_on(heap);
    bytes_on(stack);
    bytes_on(static_bytes);
    wchar_t *wheap = malloc(8 * sizeof(wchar_t));
    wchar_t wstack[8];
    wide_on(wheap);
    wide_on(wstack);
    wide_on(static_wide);
    io_on(heap);
    io_on(stack);
    io_on(static_bytes);
    edges();

    /* A vfork child runs on its parent's memory: no look-up there. */
    pid_t child = vfork();
    if (child == 0) {
        char b[4];
        _exit(memcpy(b, heap, 4) == b && write(-1, b, 4) == -1 ? 0 : 1);
    }
    int child_status = -1;
    EXPECT(child > 0 && waitpid(child, &child_status, 0) == child &&
           WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0);

    handler_block = heap;
    signal(SIGUSR1, on_signal);
    raise(SIGUSR1);
    EXPECT(handler_ok);

    free(heap);
    free(wheap);
    if (failures)
        return 1;
    puts("ok");
    return 0;
}
