#!/bin/sh
# lib_layers.sh -- the modules of lib/ depend on each other one way: no
# cycle, so that each can be read, tested and changed from the bottom up
# (preload -> lifecycle -> domains -> hooks -> block, registry, traces,
# quarantine -> report).  A cycle came back each time a module called up
# into its caller: hooks into the heap check, the heap check into the
# statistics, the statistics into the domains.
#
# The dependencies are those the linker sees, not the #include lines (a
# call through a public function declared in deadbyte.h shows in no
# include of lib/): module A depends on module B if A's object leaves
# undefined a symbol that B's object defines.  A module is a source file
# of lib/ (hooks for lib/hooks.c).  Names of the C library that the
# preload library defines to interpose them (malloc, _exit, memcpy ...)
# are no dependency: only deadbyte's own names count, those that start
# with "deadbyte_" or with a module's name.  The graph is printed, one
# module and what it depends on a line.
set -u
: "${NM:=nm}"
: "${TSORT:=tsort}"

objects=$(cd "$top_builddir" &&
          for lo in lib/*.lo; do
              [ -f "$lo" ] || continue
              o=$(sed -n "s/^pic_object='\\(.*\\)'$/\\1/p" "$lo")
              [ -n "$o" ] && [ "$o" != none ] && printf '%s\n' "lib/$o"
          done)
[ -n "$objects" ] || {
    echo "lib_layers.sh: no objects in $top_builddir/lib: not built" >&2
    exit 99
}
command -v "$TSORT" >/dev/null 2>&1 || {
    echo "lib_layers.sh: no $TSORT" >&2
    exit 77
}

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# "module D symbol" for what each object defines, "module U symbol" for
# what it leaves undefined.
for o in $objects; do
    m=$(basename "$o" .o)
    m=${m#libdeadbyte_core_la-}
    m=${m#libdeadbyte_preload_la-}
    printf '%s\n' "$m" >>"$tmp/modules"
    listed=$(cd "$top_builddir" && $NM "$o") ||
        { echo "lib_layers.sh: $NM $o failed" >&2; exit 99; }
    printf '%s\n' "$listed" |
        awk -v m="$m" 'NF == 3 && $2 ~ /^[TDBRVW]$/ { print m, "D", $3 }
                       NF == 2 && $1 == "U" { print m, "U", $2 }'
done >"$tmp/symbols"

awk 'FILENAME == ARGV[1] { module[$1] = 1; next }
     function ours(s,   p) {
         if (s ~ /^deadbyte_/ || s in module)
             return 1
         for (p in module)
             if (index(s, p "_") == 1)
                 return 1
         return 0
     }
     $2 == "D" && !($3 in def) { def[$3] = $1; next }
     $2 == "U" { use[++n] = $1 " " $3 }
     END {
         for (i = 1; i <= n; i++) {
             split(use[i], u, " ")
             if ((u[2] in def) && def[u[2]] != u[1] && ours(u[2]))
                 print u[1], def[u[2]]
         }
     }' "$tmp/modules" "$tmp/symbols" | sort -u >"$tmp/edges"

echo "The modules of lib/ and what each depends on:"
sort -u "$tmp/modules" | while read -r m; do
    printf '  %s ->' "$m"
    awk -v m="$m" '$1 == m { printf " %s", $2 }' "$tmp/edges"
    echo
done

# Every module is a node, even one that depends on nothing.
{ cat "$tmp/edges"; sort -u "$tmp/modules" | awk '{ print $1, $1 }'; } |
    "$TSORT" >/dev/null 2>"$tmp/loops"
if [ -s "$tmp/loops" ]; then
    echo "FAIL: lib/ has a dependency cycle:"
    sed 's/^/    /' "$tmp/loops"
    exit 1
fi
echo "PASS: no dependency cycle among the $(sort -u "$tmp/modules" | wc -l) modules of lib/"

# The writer of reports is the bottom layer (issue 15: preload -> domains
# -> hooks -> block/registry/traces/quarantine -> writer): its modules
# call only each other and the leaves below them, never back into the
# allocator's state (registry, traces, heap, quarantine, hooks).
writer_modules="writer writer_words frames dump"
below="api block fmt maps options modes report_file safe_read"
bad=$(awk -v ok="$writer_modules $below" -v w="$writer_modules" '
    BEGIN { n = split(ok, a, " "); for (i = 1; i <= n; i++) allowed[a[i]] = 1
            n = split(w, b, " "); for (i = 1; i <= n; i++) writer[b[i]] = 1 }
    ($1 in writer) && !($2 in allowed) { print "    " $1 " -> " $2 }' "$tmp/edges")
if [ -n "$bad" ]; then
    echo "FAIL: the writer's modules depend on modules above them:"
    printf '%s\n' "$bad"
    exit 1
fi
echo "PASS: the writer ($writer_modules) depends only on $below"
exit 0
