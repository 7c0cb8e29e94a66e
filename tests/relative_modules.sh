#!/bin/sh
# relative_modules.sh -- a library the loader knows by a relative name
# (dlopen("./libbug.so"), or found through LD_LIBRARY_PATH=.) is named in
# tracebacks by its absolute path, so that the launcher symbolizes its
# frames from the library, not from the main program: the report shows
# "lib_make libbug.c:7", even after the program changed directory.
# Needs a C compiler (TEST_CC, else cc); exit 77 without one.
set -u
: "${top_builddir:?relative_modules.sh: top_builddir is not set}"
DEADBYTE=$(cd "$top_builddir/tool" 2>/dev/null && pwd)/deadbyte
[ -x "$DEADBYTE" ] ||
    { echo "relative_modules.sh: $DEADBYTE not built" >&2; exit 99; }
CC=${TEST_CC:-cc}
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Line 7 makes the block; FILL past N overflows it.
cat >"$tmp/libbug.c" <<'END'
#include <stdlib.h>

/* A block of N bytes, FILL of them written. */
char *
lib_make(size_t n, size_t fill)
{
    char *p = malloc(n);
    for (size_t i = 0; i < fill; i++)
        p[i] = 'x';
    return p;
}
END
# Both programs free the block in another directory than the one the
# library was found in: a name resolved later against the current
# directory would be wrong.
cat >"$tmp/dlopen_prog.c" <<'END'
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
    size_t fill = argc > 1 ? strtoul(argv[1], NULL, 10) : 8;
    void *lib = dlopen("./libbug.so", RTLD_NOW);
    if (!lib) {
        fprintf(stderr, "dlopen_prog: %s\n", dlerror());
        return 2;
    }
    char *(*make)(size_t, size_t) =
        (char *(*)(size_t, size_t))dlsym(lib, "lib_make");
    char *p = make(8, fill);
    if (chdir("/") != 0)
        return 2;
    free(p);
    return 0;
}
END
cat >"$tmp/linked_prog.c" <<'END'
#include <stdlib.h>
#include <unistd.h>

char *lib_make(size_t n, size_t fill);

int
main(int argc, char **argv)
{
    size_t fill = argc > 1 ? strtoul(argv[1], NULL, 10) : 8;
    char *p = lib_make(8, fill);
    if (chdir("/") != 0)
        return 2;
    free(p);
    return 0;
}
END
cd "$tmp" || exit 99

# check NAME ENV... -- COMMAND...: the overflow run reports the allocation
# in lib_make at libbug.c:7; the clean run prints nothing and exits 0.
check() {
    name=$1
    shift
    env "$@" 9 >out 2>err </dev/null
    status=$?
    if [ "$status" -eq 134 ] &&
       grep -Eq '^  #0 0x[0-9a-f]+ in lib_make .*libbug\.c:7$' err; then
        pass "$name: the allocation is shown in lib_make libbug.c:7"
    else
        fail "$name: status $status (wanted 134), or no frame" \
            "lib_make libbug.c:7; stderr:"
        sed 's/^/    /' err
    fi
    # The frame after lib_make is the program's main, from its own file.
    if grep -A1 ' in lib_make ' err |
       grep -Eq '^  #1 0x[0-9a-f]+ in main .*_prog\.c:[0-9]+$'; then
        pass "$name: its caller is main in the program"
    else
        fail "$name: no frame of main after lib_make"
    fi
    env "$@" 8 >out 2>err </dev/null
    status=$?
    if [ "$status" -eq 0 ] && ! [ -s err ]; then
        pass "$name: the correct run is clean"
    else
        fail "$name: correct run: status $status; stderr:"
        sed 's/^/    /' err
    fi
}

for opt in -O0 -O2; do
    if ! { $CC -g $opt -fPIC -shared -o libbug.so libbug.c &&
           $CC -g $opt -o dlopen_prog dlopen_prog.c -ldl &&
           $CC -g $opt -o linked_prog linked_prog.c -L. -lbug; } \
         >cc.log 2>&1; then
        echo "relative_modules.sh: SKIP: $CC cannot build the test programs:"
        sed 's/^/    /' cc.log
        exit 77
    fi
    check "$opt dlopen(\"./libbug.so\")" "$DEADBYTE" ./dlopen_prog
    check "$opt LD_LIBRARY_PATH=." LD_LIBRARY_PATH=. "$DEADBYTE" ./linked_prog
done

echo "relative_modules.sh: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
