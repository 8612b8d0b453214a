#!/usr/bin/env python3
"""bench/smaps.py — a process's resident memory by mapping, from copies of /proc/<pid>/smaps.

  bench/smaps.py FILE.smaps                 Rss and Pss (kB) per mapping, largest first
  bench/smaps.py --label before A.smaps --label after B.smaps
                                            the same, side by side, with the difference

The copies come from the bench driver: TEND_BENCH_SMAPS=/tmp/x makes it write /tmp/x-idle.smaps (after
start-up and a second of quiet) and /tmp/x-peak.smaps (the highest RSS seen during the load).
Anonymous mappings that glibc's malloc made beside the heap (its arenas) and every other unnamed one
are summed as [anonymous]; a library's text, data and relro mappings are summed under its file name.
"""
import argparse
import re
import sys

HEADER = re.compile(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$")
FIELD = re.compile(r"^(\w+):\s+(\d+) kB$")


def read(path):
    """{mapping name: {field: kB}} and the totals."""
    by = {}
    total = {}
    cur = None
    with open(path) as f:
        for line in f:
            m = HEADER.match(line)
            if m:
                name = m.group(1).strip() or "[anonymous]"
                cur = by.setdefault(name, {})
                continue
            m = FIELD.match(line)
            if m and cur is not None:
                k, v = m.group(1), int(m.group(2))
                cur[k] = cur.get(k, 0) + v
                total[k] = total.get(k, 0) + v
    return by, total


def short(name):
    if name.endswith(".db-shm"):  # each run's database has a name of its own: one row for them
        return "<database>-shm"
    return name.rsplit("/", 1)[-1] if name.startswith("/") else name


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--label", action="append", default=[])
    ap.add_argument("--min", type=int, default=40, help="leave out mappings under this many kB Rss in every file")
    ap.add_argument("files", nargs="+")
    a = ap.parse_intermixed_args()
    labels = a.label + [f"#{i + 1}" for i in range(len(a.label), len(a.files))]
    data = [read(p) for p in a.files]
    keys = ("Rss", "Pss", "Shared_Clean", "Private_Clean", "Private_Dirty", "Anonymous")
    print("totals (kB)")
    print("  %-16s" % "" + "".join("%14s" % l for l in labels))
    for k in keys:
        print("  %-16s" % k + "".join("%14d" % t.get(k, 0) for _, t in data))
    names = {}
    for by, _ in data:
        for n, v in by.items():
            names[short(n)] = max(names.get(short(n), 0), v.get("Rss", 0))

    def get(by, n, k):
        return sum(v.get(k, 0) for name, v in by.items() if short(name) == n)

    print("\nby mapping, Rss / Pss (kB)" + ("; last column: Rss change from the first" if len(data) > 1 else ""))
    print("  %-36s" % "" + "".join("%16s" % l for l in labels))
    rows = sorted(names, key=lambda n: -names[n])
    for n in rows:
        if names[n] < a.min:
            continue
        cells = "".join("%16s" % ("%d / %d" % (get(by, n, "Rss"), get(by, n, "Pss"))) for by, _ in data)
        diff = ""
        if len(data) > 1:
            d = get(data[-1][0], n, "Rss") - get(data[0][0], n, "Rss")
            diff = "%+8d" % d if d else "%8s" % "."
        print("  %-36s" % n[:36] + cells + diff)
    return 0


if __name__ == "__main__":
    sys.exit(main())
