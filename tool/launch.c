/* SPDX-License-Identifier: MIT */
/*
 * launch.c -- run the program under deadbyte.  Before anything runs it
 * checks what would otherwise fail in confusing ways: a program that is
 * missing, a directory, not executable, statically linked (nothing to
 * preload into), set-user-ID (the loader ignores LD_PRELOAD), or built
 * for another word size.  Then run it with LD_PRELOAD (supervise.c).
 * The program's stdin, stdout, stderr and terminal are its own: the
 * launcher touches none of them.
 */
#include "config.h"

#include "launch.h"

#include "printable.h"
#include "supervise.h"

#include <elf.h>
#include <link.h> /* ElfW() */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if !defined(PKGLIBDIR) || !defined(PKGDATADIR) || !defined(ABS_TOP_SRCDIR)
#error "PKGLIBDIR, PKGDATADIR and ABS_TOP_SRCDIR come from the build"
#endif

#define PRELOAD_NAME "libdeadbyte-preload.so"

static int
fail(const char *program, const char *why, int status)
{
    fprintf(stderr, "deadbyte: %s: %s\n", printable(program), why);
    return status;
}

/* Search PATH like execvp(); remember a match that is not executable. */
static int
search_path(const char *program, char *path_out)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    bool seen_unexecutable = false;
    while (*path) {
        size_t len = strcspn(path, ":");
        char candidate[PATH_MAX];
        int n = snprintf(candidate, sizeof candidate, "%.*s%s%s", (int)len,
                         path, len ? "/" : "", program);
        struct stat st;
        if (n > 0 && (size_t)n < sizeof candidate &&
            stat(candidate, &st) == 0 && S_ISREG(st.st_mode)) {
            if (access(candidate, X_OK) == 0) {
                strcpy(path_out, candidate);
                return 0;
            }
            seen_unexecutable = true;
        }
        path += len + (path[len] == ':');
    }
    if (seen_unexecutable)
        return fail(program, "Permission denied", EXIT_NOT_EXECUTABLE);
    return fail(program, "command not found", EXIT_NOT_FOUND);
}

/*
 * Can the dynamic loader preload into the ELF file at PATH?  Scripts
 * (#!) are fine: their interpreter is what runs, and gets the library.
 */
static int
check_elf(const char *program, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(program, strerror(errno), EXIT_NOT_EXECUTABLE);
    ElfW(Ehdr) eh;
    ssize_t got = pread(fd, &eh, sizeof eh, 0);
    if (got >= 2 && memcmp(&eh, "#!", 2) == 0) {
        close(fd);
        return 0;
    }
    if (got < (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
        close(fd); /* Not ELF: let exec say what it makes of it. */
        return 0;
    }
    if (eh.e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)) {
        close(fd);
        return fail(program,
                    sizeof(void *) == 8
                        ? "is a 32-bit program; this deadbyte preloads into "
                          "64-bit programs only"
                        : "is a 64-bit program; this deadbyte preloads into "
                          "32-bit programs only",
                    EXIT_DEADBYTE_ERROR);
    }
    bool has_interp = false;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        ElfW(Phdr) ph;
        off_t at = (off_t)eh.e_phoff + (off_t)i * eh.e_phentsize;
        if (pread(fd, &ph, sizeof ph, at) != (ssize_t)sizeof ph)
            break;
        if (ph.p_type == PT_INTERP)
            has_interp = true;
    }
    close(fd);
    if (eh.e_type == ET_EXEC || eh.e_type == ET_DYN) {
        if (!has_interp)
            return fail(program,
                        "is statically linked: there is no dynamic loader "
                        "to preload deadbyte into it (link it dynamically, "
                        "or link it with -ldeadbyte)",
                        EXIT_DEADBYTE_ERROR);
        return 0;
    }
    return fail(program, "is not an executable program", EXIT_NOT_EXECUTABLE);
}

bool
launch_which(const char *name, char *path_out)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        int n = snprintf(path_out, PATH_MAX, "%.*s%s%s", (int)len, path,
                         len ? "/" : "", name);
        if (n > 0 && n < PATH_MAX && access(path_out, X_OK) == 0)
            return true;
        path += len + (path[len] == ':');
    }
    return false;
}

int
launch_check(const char *program, char *path_out)
{
    if (!strchr(program, '/')) {
        int status = search_path(program, path_out);
        if (status != 0)
            return status;
    } else {
        if (strlen(program) >= PATH_MAX)
            return fail(program, "file name too long", EXIT_NOT_FOUND);
        strcpy(path_out, program);
    }
    struct stat st;
    if (stat(path_out, &st) != 0)
        return fail(program, strerror(errno),
                    errno == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE);
    if (S_ISDIR(st.st_mode))
        return fail(program, "is a directory", EXIT_NOT_EXECUTABLE);
    if (!S_ISREG(st.st_mode) || access(path_out, X_OK) != 0)
        return fail(program, "Permission denied", EXIT_NOT_EXECUTABLE);
    if (st.st_mode & (S_ISUID | S_ISGID))
        return fail(program,
                    st.st_mode & S_ISUID
                        ? "is set-user-ID: the dynamic loader ignores "
                          "LD_PRELOAD for it, so deadbyte cannot watch it"
                        : "is set-group-ID: the dynamic loader ignores "
                          "LD_PRELOAD for it, so deadbyte cannot watch it",
                    EXIT_DEADBYTE_ERROR);
    return check_elf(program, path_out);
}

/* Set when the preload library was found in the build tree. */
static bool uninstalled;

const char *
launch_find_gdb_script(void)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/deadbyte-gdb.py",
             uninstalled ? ABS_TOP_SRCDIR "/tool" : PKGDATADIR);
    return path;
}

const char *
launch_find_preload(void)
{
    static char found[PATH_MAX];
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char candidate[PATH_MAX + 64];
            snprintf(candidate, sizeof candidate, "%s/../lib/.libs/%s", exe,
                     PRELOAD_NAME);
            if (access(candidate, R_OK) == 0 && realpath(candidate, found)) {
                uninstalled = true;
                return found;
            }
        }
    }
    snprintf(found, sizeof found, "%s/%s", PKGLIBDIR, PRELOAD_NAME);
    if (access(found, R_OK) == 0)
        return found;
    fprintf(stderr, "deadbyte: %s: %s (is deadbyte installed?)\n", found,
            strerror(errno));
    return NULL;
}

char *
launch_preload_value(const char *preload)
{
    const char *old = getenv("LD_PRELOAD");
    size_t len = strlen(preload) + (old ? strlen(old) + 1 : 0) + 1;
    char *value = malloc(len);
    if (value)
        snprintf(value, len, "%s%s%s", preload, old && *old ? ":" : "",
                 old ? old : "");
    return value;
}

int
launch_run(const char *path, char **argv, const char *preload)
{
    if (preload) {
        char *value = launch_preload_value(preload);
        if (!value)
            return fail(path, "out of memory", EXIT_DEADBYTE_ERROR);
        setenv("LD_PRELOAD", value, 1);
        free(value);
    }
    return supervise_run(path, argv, getenv("DEADBYTE_REPORT_DIR"));
}
