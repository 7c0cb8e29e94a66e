/* SPDX-License-Identifier: MIT */
/*
 * gdb_run.c -- deadbyte --gdb.  gdb's own exit status says nothing about
 * the program, so deadbyte's gdb helpers (deadbyte-gdb.py) write the
 * program's to a file, which the launcher reads when gdb has ended.  The
 * preload library goes to the program through gdb's exec-wrapper (env),
 * not to gdb nor to the shell gdb starts it with: that shell is what
 * passes the program's arguments intact.
 */
#include "config.h"

#include "gdb_run.h"

#include "launch.h"
#include "printable.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* S as a Python bytes literal, b'...': a path may hold any byte. */
static char *
python_bytes(const char *s)
{
    size_t len = strlen(s);
    char *out = malloc(len * 4 + 4);
    if (!out)
        return NULL;
    size_t used = 0;
    out[used++] = 'b';
    out[used++] = '\'';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '\'' && *p != '\\') {
            out[used++] = (char)*p;
        } else {
            snprintf(out + used, 5, "\\x%02x", *p);
            used += 4;
        }
    }
    out[used++] = '\'';
    out[used] = '\0';
    return out;
}

/* S in single quotes for the shell that gdb runs the program with. */
static char *
shell_quoted(const char *s)
{
    char *out = malloc(strlen(s) * 4 + 3);
    if (!out)
        return NULL;
    size_t used = 0;
    out[used++] = '\'';
    for (; *s; s++) {
        if (*s == '\'') {
            memcpy(out + used, "'\\''", 4);
            used += 4;
        } else {
            out[used++] = *s;
        }
    }
    out[used++] = '\'';
    out[used] = '\0';
    return out;
}

/*
 * The interpreter line of the #! script at PATH, as the kernel reads it:
 * the interpreter, then at most one argument (the rest of the line).
 * Returns 1 for a script, 0 for anything else.
 */
static int
script_interpreter(const char *path, char *interp, char *arg)
{
    char line[256 + 1];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t got = read(fd, line, sizeof line - 1);
    close(fd);
    if (got < 2 || memcmp(line, "#!", 2) != 0)
        return 0;
    line[got] = '\0';
    line[strcspn(line, "\n")] = '\0';
    char *s = line + 2 + strspn(line + 2, " \t");
    size_t len = strcspn(s, " \t");
    snprintf(interp, PATH_MAX, "%.*s", (int)len, s);
    s += len;
    s += strspn(s, " \t");
    len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    snprintf(arg, PATH_MAX, "%.*s", (int)len, s);
    return 1;
}

/* What the helpers wrote: "exit N" or "signal N"; -1 if nothing. */
static int
read_status(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return -1;
    char word[16];
    int n, status = -1;
    if (fscanf(f, "%15s %d", word, &n) == 2) {
        if (strcmp(word, "exit") == 0)
            status = n & 0xff;
        else if (strcmp(word, "signal") == 0)
            status = 128 + n;
    }
    fclose(f);
    return status;
}

int
gdb_run(const char *path, char **args, const char *preload,
        const char *report_dir)
{
    char gdb[PATH_MAX];
    if (!launch_which("gdb", gdb)) {
        fprintf(stderr, "deadbyte: --gdb: gdb is not installed "
                        "(Debian: apt-get install gdb)\n");
        return EXIT_DEADBYTE_ERROR;
    }
    char self[PATH_MAX];
    ssize_t self_len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (self_len <= 0) {
        fprintf(stderr, "deadbyte: /proc/self/exe: %s\n", strerror(errno));
        return EXIT_DEADBYTE_ERROR;
    }
    self[self_len] = '\0';

    /* Made here, empty: the helpers only write into it. */
    char status_file[PATH_MAX];
    int n = snprintf(status_file, sizeof status_file, "%s/.gdb-status.%ld",
                     report_dir, (long)getpid());
    int fd = n > 0 && (size_t)n < sizeof status_file
                 ? open(status_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)
                 : (errno = ENAMETOOLONG, -1);
    if (fd < 0) {
        fprintf(stderr, "deadbyte: %s: %s\n", printable(status_file),
                strerror(errno));
        return EXIT_DEADBYTE_ERROR;
    }
    close(fd);

    char *value = launch_preload_value(preload);
    char *quoted_preload = NULL, *py_status = python_bytes(status_file);
    char *py_self = python_bytes(self);
    char *setup = NULL, *wrapper = NULL;
    size_t n_args = 0;
    while (args[n_args])
        n_args++;
    char **gdb_argv = calloc(n_args + 20, sizeof *gdb_argv);
    if (value) {
        size_t len = strlen(value) + sizeof "LD_PRELOAD=";
        char *assignment = malloc(len);
        if (assignment) {
            snprintf(assignment, len, "LD_PRELOAD=%s", value);
            quoted_preload = shell_quoted(assignment);
            free(assignment);
        }
    }
    if (quoted_preload && py_status && py_self) {
        size_t len = strlen(quoted_preload) + 64;
        if ((wrapper = malloc(len)))
            snprintf(wrapper, len, "set exec-wrapper env %s", quoted_preload);
        len = strlen(py_status) + strlen(py_self) + 64;
        if ((setup = malloc(len)))
            snprintf(setup, len, "python deadbyte_launcher_setup(%s, %s)",
                     py_status, py_self);
    }
    int status;
    if (!gdb_argv || !wrapper || !setup) {
        fprintf(stderr, "deadbyte: out of memory\n");
        status = EXIT_DEADBYTE_ERROR;
        goto out;
    }
    char interp[PATH_MAX], interp_arg[PATH_MAX];
    size_t i = 0;
    gdb_argv[i++] = gdb;
    gdb_argv[i++] = "-q";
    gdb_argv[i++] = "-x";
    gdb_argv[i++] = (char *)launch_find_gdb_script();
    gdb_argv[i++] = "-ex";
    gdb_argv[i++] = setup;
    gdb_argv[i++] = "-ex";
    gdb_argv[i++] = wrapper;
    /* Commands from a file or a pipe: its output goes to one too, where
     * lines folded at 80 columns are only harder to read (and to grep). */
    if (!isatty(STDIN_FILENO)) {
        gdb_argv[i++] = "-ex";
        gdb_argv[i++] = "set width unlimited";
    }
    gdb_argv[i++] = "-ex";
    gdb_argv[i++] = "run";
    gdb_argv[i++] = "--args";
    /* gdb cannot load a script: it debugs the interpreter, which gets
     * the same arguments as from the kernel. */
    if (script_interpreter(path, interp, interp_arg)) {
        gdb_argv[i++] = interp;
        if (*interp_arg)
            gdb_argv[i++] = interp_arg;
    }
    gdb_argv[i++] = (char *)path;
    for (size_t a = 1; a < n_args; a++)
        gdb_argv[i++] = args[a];

    int gdb_status = launch_run(gdb, gdb_argv, NULL);
    status = read_status(status_file);
    if (status < 0) {
        if (gdb_status != 0) {
            fprintf(stderr, "deadbyte: --gdb: gdb failed (status %d)\n",
                    gdb_status);
            status = EXIT_DEADBYTE_ERROR;
        } else {
            fprintf(stderr, "deadbyte: %s: gdb did not run it\n",
                    printable(args[0]));
            status = EXIT_NOT_EXECUTABLE;
        }
    }
out:
    unlink(status_file);
    free(gdb_argv);
    free(setup);
    free(wrapper);
    free(py_self);
    free(py_status);
    free(quoted_preload);
    free(value);
    return status;
}
