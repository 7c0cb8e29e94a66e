#!/bin/sh
# real_programs_python3.sh -- python3 runs under deadbyte as it runs alone;
# see tests/real_programs.inc.
. "${top_srcdir:-.}/tests/real_programs.inc"

# ---- python3: dicts, strings, tuples, sort, json, hashlib ---------------
python3_workload() {
    cat >work.py <<'EOF'
import hashlib, json
items = []
for i in range(200000):
    k = i * 7919 % 200003
    name = "item-%06d" % k
    items.append({"id": k, "name": name.upper().split("-")[1],
                  "tags": (name[-1], k % 13)})
items.sort(key=lambda d: (d["tags"], d["name"]))
text = json.dumps(items, sort_keys=True)
counts = {}
for d in items:
    counts[d["tags"][0]] = counts.get(d["tags"][0], 0) + 1
print(len(items), len(text), hashlib.sha256(text.encode()).hexdigest())
print(" ".join("%s=%d" % kv for kv in sorted(counts.items())))
print(items[0]["name"], items[-1]["name"])
EOF
    PYTHONMALLOC=malloc PYTHONHASHSEED=0
    export PYTHONMALLOC PYTHONHASHSEED
    run python3 -s work.py
}
check python3 python3_workload python3
finish
