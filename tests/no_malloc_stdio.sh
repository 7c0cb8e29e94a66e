#!/bin/sh
# no_malloc_stdio.sh -- the library and the preload library call no
# malloc and no stdio.  They run inside malloc itself, in signal handlers
# and after the heap is found corrupt, with locks of the program held: a
# call into the C library's allocator would recurse or deadlock there,
# and stdio takes a lock and may allocate.  So none of the functions
# below may be left undefined in their objects (nm -u), for the linker
# to find in the C library.
#
# Not listed, and allowed: the __libc_* allocator of glibc (the base
# allocator, called on purpose; it never comes back to us); dlsym,
# dladdr and libunwind's unw_backtrace, which may allocate inside (the
# preload guards against its own re-entry there; see lib/preload.c and
# lib/traces.c); dl_iterate_phdr, which lib/cfi.c calls as libunwind
# does; string functions, which allocate nothing.
set -u
: "${NM:=nm}"
status=0

# The malloc family, and what is documented to return malloc'ed memory
# or to call malloc (strerror for an unknown number, qsort for a large
# array, opendir for its buffer...), and C++'s operators.
malloc_calls='malloc|calloc|realloc|reallocarray|free|cfree|posix_memalign|aligned_alloc|memalign|valloc|pvalloc|malloc_usable_size|mallinfo2?|malloc_trim|strn?dup|v?asprintf|getline|getdelim|open_w?memstream|fmemopen|qsort|qsort_r|scandir|scandirat|realpath|canonicalize_file_name|strerror|strerror_l|strsignal|setlocale|opendir|fdopendir|backtrace_symbols|dlerror|dlopen|_Zn[wa].*|_Zd[la].*'
# stdio: anything that works on a FILE, the printf and scanf families
# (snprintf included: it runs the stdio machinery), the standard streams.
stdio_calls='(__)?v?(f|s|sn|d|as)?printf(_chk)?|(__isoc99_|__isoc23_)?v?(f|s)?scanf|f(open|open64|dopen|reopen|reopen64|close|closeall|flush|write|read|puts|putc|gets|getc|seek|seeko|seeko64|tell|tello|tello64|getpos|setpos|ileno|lockfile|unlockfile|trylockfile)(_unlocked)?|(putc|getc|putchar|getchar|puts|gets|ungetc|perror|setvbuf|setbuf|setbuffer|setlinebuf|popen|pclose|tmpfile|tmpnam|tempnam)(_unlocked)?|std(in|out|err)|_IO_.*'

# The objects of both libraries, as libtool's .lo files name them: their
# code, not the libraries as linked (a sanitizer runtime linked into them,
# as in the UBSan build, has calls of its own).
objects=$(cd "$top_builddir" &&
          for lo in lib/*.lo; do
              [ -f "$lo" ] || continue
              o=$(sed -n "s/^pic_object='\\(.*\\)'$/\\1/p" "$lo")
              [ -n "$o" ] && [ "$o" != none ] && printf '%s\n' "lib/$o"
          done)
[ -n "$objects" ] || {
    echo "no_malloc_stdio.sh: no objects in $top_builddir/lib: not built" >&2
    exit 99
}
for o in $objects; do
    listed=$(cd "$top_builddir" && $NM -u "$o") ||
        { echo "no_malloc_stdio.sh: $NM -u $o failed" >&2; exit 99; }
    undefined=$(printf '%s\n' "$listed" | awk '{ print $NF }' | sort -u)
    bad=$(printf '%s\n' "$undefined" | grep -E -x "$malloc_calls|$stdio_calls")
    if [ -n "$bad" ]; then
        echo "FAIL: $o calls" $bad
        status=1
    else
        echo "PASS: $o: no malloc, no stdio"
    fi
done
exit $status
