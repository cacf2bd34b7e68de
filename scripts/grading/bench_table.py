"""Turns `cargo bench --bench grading` output into the Markdown table of docs/grading-benchmarks.md.

Run: cargo bench --bench grading -- --warm-up-time 1 --measurement-time 3 | tee /tmp/b.txt
     python3 scripts/grading/bench_table.py /tmp/b.txt
"""
import re
import sys

text = open(sys.argv[1]).read()
pat = re.compile(r"^([a-z_]+/[A-Za-z_0-9]+)\s*(?:\n\s*)?time:\s*\[([^\]]+)\]", re.M)
print("| benchmark | low | estimate | high |")
print("|---|---:|---:|---:|")
for m in pat.finditer(text):
    lo, mid, hi = [" ".join(x) for x in zip(*[iter(m.group(2).split())] * 2)]
    print(f"| `{m.group(1)}` | {lo} | **{mid}** | {hi} |")
