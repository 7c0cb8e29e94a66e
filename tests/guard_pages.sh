#!/bin/sh
# guard_pages.sh -- blocks with guard pages (--guard-pages), from programs
# under the launcher: their layout at every size from 0 to 5000 bytes and
# beyond, with the page after the data and before it (tests/guard_blocks.c);
# realloc, aligned blocks, threads that free each other's blocks, a fork
# child; --guard-max reached, said once; the clean examples run as they do
# alone in every mode; bad values of the options are refused.  The faults
# on the pages are reports: tests/guard_signals.sh and the samples of
# deadbyte(7) (tests/doc_reports.sh).
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
PROG="$top_builddir/tests/guard_blocks"
[ -x "$DEADBYTE" ] || { echo "guard_pages.sh: $DEADBYTE not built" >&2; exit 99; }
[ -x "$PROG" ] || { echo "guard_pages.sh: $PROG not built" >&2; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "PASS: $1"; }
fail() {
    echo "FAIL: $1 (exit status $status); stdout, stderr:"
    sed 's/^/    /' "$tmp/out" "$tmp/err" | head -n 40
    failures=$((failures + 1))
}
# run LAUNCHER-ARGS...: the launcher, its output in $tmp/out and err.
run() {
    (ulimit -c 0; exec "$DEADBYTE" "$@" >"$tmp/out" 2>"$tmp/err")
    status=$?
}
# ok WHAT LAUNCHER-ARGS...: the run prints ok, exits 0, and says nothing.
ok() {
    what=$1
    shift
    run --leaks no "$@"
    if [ "$status" -eq 0 ] && [ "$(cat "$tmp/out")" = ok ] && [ ! -s "$tmp/err" ]; then
        pass "$what"
    else
        fail "$what"
    fi
}

ok "every size, its data against the page after it" \
    --guard-pages=all "$PROG" layout 1
ok "every size, its data right after the page" \
    --guard-pages=all,underflow "$PROG" layout 0
ok "blocks of 4 KiB or more: the page after them" \
    --guard-pages=size:4K "$PROG" realloc
for mode in all all,underflow; do
    for what in realloc aligned threads fork; do
        ok "$what, --guard-pages=$mode" --guard-pages="$mode" "$PROG" "$what"
    done
done

# Past --guard-max: one warning, and every block still made.
run --leaks no --guard-pages=all --guard-max 100 "$PROG" many 5000
if [ "$status" -eq 0 ] && [ "$(cat "$tmp/out")" = ok ] &&
   [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
   grep -q '^deadbyte: warning: 100 blocks have guard pages, as many as --guard-max allows; blocks made while that many are live or in quarantine get none$' "$tmp/err"; then
    pass "--guard-max reached: said once, blocks still made"
else
    fail "--guard-max reached"
fi

# The clean examples: byte for byte what they do alone, in every mode.
for name in clean_c clean_cxx fork_child exec_chain threads; do
    prog="$top_builddir/examples/$name"
    [ -x "$prog" ] || { echo "guard_pages.sh: $prog not built" >&2; exit 99; }
    "$prog" >"$tmp/plain.out" 2>"$tmp/plain.err"
    plain=$?
    for mode in all all,underflow size:4K sample:2; do
        run --guard-pages="$mode" "$prog"
        if [ "$plain" -eq 0 ] && [ "$status" -eq 0 ] &&
           cmp -s "$tmp/plain.out" "$tmp/out" && cmp -s "$tmp/plain.err" "$tmp/err"; then
            pass "$name runs clean with --guard-pages=$mode"
        else
            fail "$name with --guard-pages=$mode (alone: $plain)"
        fi
    done
done

# Bad values: a clear error, status 125, the program not run.
for value in sample:0 sample: size:12Q all,overflow no,underflow 'all,' bogus; do
    run --guard-pages="$value" "$PROG" realloc
    if [ "$status" -eq 125 ] && [ ! -s "$tmp/out" ] &&
       grep -q "^deadbyte: invalid value '$value' for --guard-pages: expected no, all, sample:N or size:SIZE" "$tmp/err"; then
        pass "--guard-pages='$value' is refused"
    else
        fail "--guard-pages='$value'"
    fi
done
run --guard-max x "$PROG" realloc
if [ "$status" -eq 125 ] && grep -q "^deadbyte: invalid value 'x' for --guard-max" "$tmp/err"; then
    pass "--guard-max x is refused"
else
    fail "--guard-max x"
fi

[ "$failures" -eq 0 ]
