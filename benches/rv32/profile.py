#!/usr/bin/env python3
"""Executed RV32 instructions per function, from qemu-profile.c's output.

    benches/rv32/profile.py IMAGE.elf PROFILE.txt [N]

Maps each translation block to the symbol containing its start (llvm-nm-19 -n
-C) and prints the N (default 40) functions executing the most instructions,
with their share of the total."""
import bisect
import subprocess
import sys

elf, prof = sys.argv[1], sys.argv[2]
top = int(sys.argv[3]) if len(sys.argv) > 3 else 40
syms = []
for line in subprocess.run(["llvm-nm-19", "-n", "-C", elf], capture_output=True, text=True,
                           check=True).stdout.splitlines():
    parts = line.split(" ", 2)
    if len(parts) == 3 and parts[1] in "tTwW":
        syms.append((int(parts[0], 16), parts[2]))
addrs = [a for a, _ in syms]
per = {}
total = 0
for line in open(prof):
    va, n, count = line.split()
    w = int(n) * int(count)
    total += w
    i = bisect.bisect_right(addrs, int(va, 16)) - 1
    name = syms[i][1] if i >= 0 else "?"
    per[name] = per.get(name, 0) + w
print(f"{total:,} instructions")
for name, w in sorted(per.items(), key=lambda kv: -kv[1])[:top]:
    print(f"{w:>15,} {100 * w / total:5.1f}%  {name[:110]}")
