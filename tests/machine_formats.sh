#!/bin/sh
# machine_formats.sh -- deadbyte --format=json and --format=sarif.
#
# 1. The renderers on hand-written record files (tests/records/*.records,
#    through tests/render_records): the output validates against its
#    schema (tests/schema/deadbyte-1.schema.json, and the official SARIF
#    2.1.0 schema) and equals tests/expected/json/NAME.jsonl and
#    tests/expected/sarif/NAME.sarif.
# 2. The validator itself rejects what breaks each schema.
# 3. The launcher: every example of tests/expected/launcher (and the clean
#    ones) in both formats, each output valid and compared with its golden
#    file (tests/expected/json/launcher_NAME.jsonl, .sarif) with
#    addresses, pids, build IDs and paths masked; and
#    `deadbyte --format=sarif --output r.sarif ./examples/c_overflow` points
#    at examples/c_overflow.c, at the line the example marks.
#
# Needs python3 with jsonschema: without it the test is skipped (77).
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
RENDER="$top_builddir/tests/render_records"
[ -x "$DEADBYTE" ] || { echo "machine_formats.sh: $DEADBYTE not built" >&2; exit 99; }
[ -x "$RENDER" ] || { echo "machine_formats.sh: $RENDER not built" >&2; exit 99; }
DEADBYTE=$(cd "$(dirname "$DEADBYTE")" && pwd)/deadbyte
RENDER=$(cd "$(dirname "$RENDER")" && pwd)/render_records
python3 -c 'import jsonschema' 2>/dev/null ||
    { echo "SKIP: python3's jsonschema is missing (CI installs python3-jsonschema)"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
top_srcdir=$(cd "$top_srcdir" && pwd)
schemas="$top_srcdir/tests/schema"
expected="$top_srcdir/tests/expected"
passes=0
failures=0
pass() { echo "PASS: $1"; passes=$((passes + 1)); }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }

# validate json|sarif FILE: FILE is JSON Lines of deadbyte/1, or one SARIF
# log, valid against its schema; else the errors on stdout.
cat >"$tmp/validate.py" <<'EOF'
import json, sys
import jsonschema
kind, path, schemas = sys.argv[1:4]
schema = json.load(open(schemas + ("/deadbyte-1.schema.json" if kind == "json"
                                   else "/sarif-2.1.0.json")))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
validator = cls(schema)
text = open(path, encoding="utf-8").read()
docs = [l for l in text.split("\n") if l] if kind == "json" else [text]
if not docs:
    sys.exit("no JSON at all")
bad = 0
for n, doc in enumerate(docs, 1):
    try:
        value = json.loads(doc)
    except ValueError as e:
        print("line %d: not JSON: %s" % (n, e)); bad += 1; continue
    for e in validator.iter_errors(value):
        print("line %d: %s at %s" % (n, e.message, list(e.absolute_path))); bad += 1
if kind == "json" and json.loads(docs[-1]).get("kind") != "summary":
    print("the last line is not the summary"); bad += 1
sys.exit(1 if bad else 0)
EOF
validate() { python3 "$tmp/validate.py" "$1" "$2" "$schemas" >"$tmp/why" 2>&1; }

# pretty json|sarif FILE: one member per line, for golden files and diffs.
pretty() {
    if [ "$1" = json ]; then
        python3 -m json.tool --json-lines --indent 1 "$2"
    else
        python3 -m json.tool --indent 1 "$2"
    fi
}

# ---- 1. Hand-written records ------------------------------------------------
for records in "$top_srcdir"/tests/records/*.records; do
    name=$(basename "$records" .records)
    for format in json sarif; do
        ext=$([ $format = json ] && echo jsonl || echo sarif)
        "$RENDER" $format --exit-status 134 --suppressed 2 "$records" >"$tmp/out" 2>"$tmp/err" ||
            { fail "render_records $format $name: status $?"; cat "$tmp/err"; continue; }
        if validate $format "$tmp/out"; then
            pass "$name.records as $format validates"
        else
            fail "$name.records as $format does not validate:"
            sed 's/^/    /' "$tmp/why"
        fi
        # The current directory is %SRCROOT%'s URI.
        pretty $format "$tmp/out" | sed "s|file://$(pwd)/|file://CWD/|" >"$tmp/pretty"
        if cmp -s "$expected/$format/$name.$ext" "$tmp/pretty"; then
            pass "$name.records as $format is $format/$name.$ext"
        else
            fail "$name.records as $format differs from $format/$name.$ext:"
            diff -u "$expected/$format/$name.$ext" "$tmp/pretty" | sed 's/^/    /' | head -n 60
        fi
    done
done

# ---- 2. The validator rejects what it should ------------------------------
rejects() {
    printf '%s\n' "$3" >"$tmp/bad"
    if validate "$1" "$tmp/bad"; then
        fail "the $1 schema takes $2"
    else
        pass "the $1 schema rejects $2"
    fi
}
summary='{"schema":"deadbyte/1","kind":"summary","errors":0,"errors_by_kind":{},"processes":0,"suppressed":0,"leaked_bytes":0,"leaked_blocks":0}'
rejects json "a null field" "{\"schema\":\"deadbyte/1\",\"kind\":\"leak\",\"error\":false,\"thread\":null}
$summary"
rejects json "an unknown kind" "{\"schema\":\"deadbyte/1\",\"kind\":\"oops\",\"error\":true}
$summary"
rejects json "an address as a number" "{\"schema\":\"deadbyte/1\",\"kind\":\"leak\",\"error\":false,\"block\":{\"address\":4096}}
$summary"
rejects json "no summary at the end" "{\"schema\":\"deadbyte/1\",\"kind\":\"leak\",\"error\":false}"
rejects json "another schema" '{"schema":"deadbyte/2","kind":"summary","errors":0,"errors_by_kind":{},"processes":0,"suppressed":0,"leaked_bytes":0,"leaked_blocks":0}'
rejects sarif "a log without runs" '{"version":"2.1.0"}'
rejects sarif "a result without a message" '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"deadbyte"}},"results":[{"ruleId":"double-free"}]}]}'

# deadbyte(7) names every field of the schema in its section JSON output,
# and each entry there is a field of the schema.
cat >"$tmp/doc.py" <<'EOF'
import json, re, sys
schema = json.load(open(sys.argv[1]))
page = open(sys.argv[2]).read()
section = page[page.index(".SS JSON output"):page.index(".SS SARIF output")]
lines = section.split("\n")
# The words the page sets in bold (.B, .BR), and the entries' tags.
bold, tags = set(), set()
for i, line in enumerate(lines):
    m = re.match(r'\.BR? +(.*)', line)
    if m:
        bold.update(re.findall(r'[a-z_0-9]+', m.group(1)))
        if i > 0 and lines[i - 1] == ".TP":
            tags.update(re.findall(r'[a-z_]+', m.group(1)))
names = set()
def walk(v):
    if isinstance(v, dict):
        names.update(v.get("properties", {}).keys())
        for x in v.values():
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(schema)
bad = 0
if names - bold:
    print("fields of the schema that deadbyte(7) does not name:", sorted(names - bold)); bad = 1
if tags - names:
    print("entries of deadbyte(7) that are no field of the schema:", sorted(tags - names)); bad = 1
sys.exit(bad)
EOF
if python3 "$tmp/doc.py" "$schemas/deadbyte-1.schema.json" "$top_srcdir/man/deadbyte.7" >"$tmp/why" 2>&1; then
    pass "deadbyte(7) and deadbyte-1.schema.json name the same fields"
else
    fail "deadbyte(7) and deadbyte-1.schema.json differ:"
    sed 's/^/    /' "$tmp/why"
fi

# ---- 3. The launcher ---------------------------------------------------------
# Run from the build tree, so that the programs' names read ./examples/x.
cd "$top_builddir" || exit 99

# Golden files of the launcher's output: of the frames only the functions
# in the example's own source are kept (the C library's depend on the
# machine), as "function examples/FILE:LINE"; addresses, pids, build IDs,
# paths, columns, call and serial numbers masked.
cat >"$tmp/mask.py" <<'EOF'
import json, re, sys
kind, path = sys.argv[1:3]
# Frames differ with the compiler and its options (what is inlined into
# what, columns): a trace's frames become the functions in the example's
# source, "function examples/FILE:LINE", the innermost first.
def short(path):
    i = path.rfind("examples/")
    return path[i:] if i >= 0 else "PATH"
def calls(frames):
    return ["%s %s:%d" % (s["function"], short(s["file"]), s.get("line", 0))
            for f in frames for s in f.get("functions", [])
            if "examples/" in s.get("file", "")]
def mask(v, key=""):
    if isinstance(v, dict):
        if isinstance(v.get("frames"), list):
            v["frames"] = calls(v["frames"])
        if "threadFlows" in v:
            for t in v["threadFlows"]:
                t["locations"] = [l for l in t["locations"]
                                  if "examples/" in json.dumps(l)]
                for n, l in enumerate(t["locations"]):
                    l["nestingLevel"] = n
        # Where the sources are: under the build tree (distcheck) or not.
        return {k: mask(x, k) for k, x in v.items()
                if k not in ("startColumn", "uriBaseId")}
    if isinstance(v, list):
        return [mask(x, key) for x in v]
    if key in ("pid", "ppid", "thread") and isinstance(v, int):
        return 0
    if isinstance(v, str):
        if key in ("file", "uri", "module"):
            return short(v)
        v = re.sub(r"0x[0-9a-f]{4,}", "0xADDR", v)
        # The build tree's place ("in the data of /build/examples/x").
        v = re.sub(r"(?:/[^\s/]+)+/examples/", "examples/", v)
        v = re.sub(r"call #[0-9]+", "call #N", v)
        v = re.sub(r"block #[0-9]+", "block #N", v)
        v = re.sub(r"--break-at [0-9]+", "--break-at N", v)
        # A leaked block's bytes hold addresses.
        v = re.sub(r"^((Direct|Indirect) leak of .* at 0xADDR):.*", r"\1", v)
    return v
if kind == "json":
    docs = [json.loads(l) for l in open(path) if l.strip()]
else:
    docs = [json.load(open(path))]
for d in docs:
    print(json.dumps(mask(d), indent=1, ensure_ascii=False))
EOF

if ! "$DEADBYTE" --format=json --output "$tmp/probe.jsonl" ./examples/clean_c >/dev/null 2>&1 ||
   ! grep -q '"kind":"summary"' "$tmp/probe.jsonl"; then
    fail "deadbyte --format=json ./examples/clean_c wrote no summary object"
fi

for name in $(cd "$expected/launcher" && ls *.txt | sed 's/\.txt$//') clean_c clean_cxx fork_child exec_chain threads; do
    [ -x "examples/$name" ] || { echo "machine_formats.sh: examples/$name not built" >&2; exit 99; }
    for format in json sarif; do
        ext=$([ $format = json ] && echo jsonl || echo sarif)
        rm -f "$tmp/out"
        (ulimit -c 0; "$DEADBYTE" --format=$format --output "$tmp/out" "./examples/$name" \
            >"$tmp/stdout" 2>"$tmp/stderr")
        if [ ! -s "$tmp/out" ]; then
            fail "$name: --format=$format wrote nothing to --output"
        elif validate $format "$tmp/out"; then
            pass "$name: --format=$format validates"
        else
            fail "$name: --format=$format does not validate:"
            sed 's/^/    /' "$tmp/why" | head -n 20
        fi
        golden="$expected/$format/launcher_$name.$ext"
        [ -f "$golden" ] || { fail "$name: no golden file $golden"; continue; }
        python3 "$tmp/mask.py" $format "$tmp/out" >"$tmp/masked" 2>&1
        if cmp -s "$golden" "$tmp/masked"; then
            pass "$name: --format=$format is $format/launcher_$name.$ext"
        else
            fail "$name: --format=$format differs from $golden:"
            diff -u "$golden" "$tmp/masked" | sed 's/^/    /' | head -n 60
        fi
    done
done

# The SARIF of c_overflow points at the line the example marks.
rm -f r.sarif
(ulimit -c 0; "$DEADBYTE" --format=sarif --output r.sarif ./examples/c_overflow >/dev/null 2>&1)
status=$?
line=$(grep -n 'deadbyte --format=sarif points here' "$top_srcdir/examples/c_overflow.c" | cut -d: -f1)
if [ -z "$line" ]; then
    fail "examples/c_overflow.c has no marker comment"
elif python3 - r.sarif "$line" "$status" >"$tmp/why" 2>&1 <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
line, status = int(sys.argv[2]), int(sys.argv[3])
run = log["runs"][0]
assert log["version"] == "2.1.0", log["version"]
assert len(run["results"]) == 1, "results: %d" % len(run["results"])
result = run["results"][0]
assert result["ruleId"] == "heap-buffer-overflow", result["ruleId"]
rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
assert rule["id"] == result["ruleId"], rule["id"]
where = result["locations"][0]["physicalLocation"]
uri = where["artifactLocation"]["uri"]
assert uri.endswith("examples/c_overflow.c"), uri
assert where["region"]["startLine"] == line, (where["region"]["startLine"], line)
related = [r["message"]["text"] for r in result["relatedLocations"]]
assert related == ["allocated here"], related
assert result["properties"]["breakAt"] == "deadbyte --break-at 1 ./examples/c_overflow"
assert run["invocations"][0]["exitCode"] == status == 134, status
EOF
then
    pass "deadbyte --format=sarif --output r.sarif ./examples/c_overflow points at examples/c_overflow.c:$line"
else
    fail "r.sarif of ./examples/c_overflow:"
    sed 's/^/    /' "$tmp/why"
fi
rm -f r.sarif

# README.md's jq line, on the JSON of c_overflow: one line, file:line of
# the free that found the overflow.
if command -v jq >/dev/null 2>&1; then
    jq_line=$(grep '^jq -r ' "$top_srcdir/README.md" | head -n 1)
    rm -f report.jsonl
    (ulimit -c 0; "$DEADBYTE" --format=json --output report.jsonl ./examples/c_overflow >/dev/null 2>&1)
    got=$(eval "$jq_line" 2>&1)
    rm -f report.jsonl
    case $got in
    *examples/c_overflow.c:$line": heap-buffer-overflow: buffer overflow: "*)
        pass "README.md's jq line: $got" ;;
    *)
        fail "README.md's jq line printed: $got" ;;
    esac
else
    echo "SKIP: jq is not installed: README.md's jq line not run"
fi

# --output with --format=sarif writes the file afresh: one log, not two.
printf 'old\n' >"$tmp/again.sarif"
(ulimit -c 0; "$DEADBYTE" --format=sarif --output "$tmp/again.sarif" ./examples/double_free >/dev/null 2>&1)
(ulimit -c 0; "$DEADBYTE" --format=sarif --output "$tmp/again.sarif" ./examples/double_free >/dev/null 2>&1)
if validate sarif "$tmp/again.sarif"; then
    pass "a second --format=sarif run replaces its --output file"
else
    fail "a second --format=sarif run left an invalid log:"
    sed 's/^/    /' "$tmp/why"
fi

# Machine formats go where text goes: standard error without --output.
(ulimit -c 0; "$DEADBYTE" --format=json ./examples/double_free >"$tmp/stdout" 2>"$tmp/stderr")
if ! grep -q schema "$tmp/stdout" && validate json "$tmp/stderr"; then
    pass "--format=json without --output writes JSON Lines to standard error"
else
    fail "--format=json without --output: stdout:"
    sed 's/^/    /' "$tmp/stdout" "$tmp/why"
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
