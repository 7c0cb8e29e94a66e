"""workload.py -- a pure-Python data workload for bench/run.sh.

Usage: python3 workload.py N

Run with PYTHONMALLOC=malloc, so that every object goes through malloc
and free instead of pymalloc's arenas.  Makes N records (dicts, tuples,
strings, lists), groups, sorts and joins them, and prints numbers that
depend only on N.  Standard library only, and nothing that calls out to
C code for the bulk of the work.
"""
import sys


def rng(seed):
    # A small LCG: the same numbers in every Python version.
    x = seed
    while True:
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        yield x >> 33


def main():
    n = int(sys.argv[1])
    r = rng(12345)
    letters = "abcdefghijklmnopqrstuvwxyz"
    records = []
    for i in range(n):
        name = "".join(letters[next(r) % 26] for _ in range(3 + next(r) % 9))
        records.append({
            "id": i,
            "name": name,
            "group": "g%d" % (next(r) % 97),
            "score": next(r) % 1000 / 10.0,
            "tags": [name[:k] for k in range(1, 4)],
        })

    groups = {}
    for rec in records:
        groups.setdefault(rec["group"], []).append(rec)
    summary = []
    for key in sorted(groups):
        members = groups[key]
        members.sort(key=lambda rec: (-rec["score"], rec["name"]))
        total = sum(rec["score"] for rec in members)
        summary.append((key, len(members), round(total, 1),
                        members[0]["name"]))

    index = {}
    for rec in records:
        for tag in rec["tags"]:
            index[tag] = index.get(tag, 0) + 1
    common = sorted(index.items(), key=lambda kv: (-kv[1], kv[0]))[:5]

    lines = ["%s,%d,%.1f,%s" % row for row in summary]
    text = "\n".join(lines)
    words = text.replace(",", " ").split()
    pairs = {(a, b) for a, b in zip(words, words[1:]) if a < b}

    print("records", len(records), "groups", len(groups),
          "tags", len(index), "pairs", len(pairs))
    print("common", common)
    print("first", summary[0], "last", summary[-1])
    print("checksum", sum(len(line) for line in lines) % 1000003,
          hash(tuple(sorted(index.values()))) % 1000003)


main()
