#!/usr/bin/env python3
"""Where the bytes of the runtime on a chip come from: every instruction of
the functions an ELF has beyond BASE_ELF (the empty start-up) attributed to
the innermost espb source function it was inlined from (library code counts
where our code called it), summed per file and per function. The ELF needs
line tables: `benches/rv32/size.sh` builds one with `ATTRIB=1`.

usage: size_attrib.py ELF BASE_ELF"""
import bisect, collections, re, subprocess, sys
elf, base = sys.argv[1], sys.argv[2]
def syms(f):
    out = subprocess.run(['llvm-nm-19', '-S', '-t', 'd', f], capture_output=True, text=True).stdout
    r = {}
    for l in out.splitlines():
        p = l.split()
        if len(p) == 4 and p[2] in 'tT':
            r[p[3]] = (int(p[0]), int(p[1]))
    return r
S, B = syms(elf), syms(base)
new = {n: v for n, v in S.items() if n not in B or B[n][1] != v[1]}
dis = subprocess.run(['llvm-objdump-19', '-d', elf], capture_output=True, text=True).stdout
ranges = sorted((a, a + s, n) for n, (a, s) in new.items() if s > 0)
insns = []
for l in dis.splitlines():
    m = re.match(r'^\s*([0-9a-f]+):\s+([0-9a-f]{4,8})\s', l)
    if m:
        insns.append((int(m.group(1), 16), len(m.group(2)) // 2))
starts = [r[0] for r in ranges]
sel = []
for a, n in insns:
    i = bisect.bisect_right(starts, a) - 1
    if i >= 0 and a < ranges[i][1]:
        sel.append((a, n, ranges[i][2]))
inp = '\n'.join(hex(a) for a, _, _ in sel)
out = subprocess.run(['llvm-symbolizer-19', '--inlining', '--demangle', '--obj=' + elf], input=inp, capture_output=True, text=True).stdout
blocks = out.strip('\n').split('\n\n')
byfn, byfile = collections.Counter(), collections.Counter()
def norm(f):
    f = re.sub(r':\d+:\d+$', '', f)
    f = re.sub(r'^.*/(espb-[a-z]+|qemu-runner)/src/', r'\1/', f)
    f = re.sub(r'^.*/library/', 'std:', f)
    f = re.sub(r'^.*/registry/src/[^/]+/', 'crate:', f)
    return f
ours = re.compile(r'^(espb-[a-z]+|qemu-runner)/')
for (a, n, _), b in zip(sel, blocks):
    lines = b.split('\n')
    frames = [(re.sub(r'::h[0-9a-f]{16}$', '', lines[i]), norm(lines[i+1]) if i + 1 < len(lines) else '?') for i in range(0, len(lines), 2)]
    pick = next(((fn, f) for fn, f in frames if ours.match(f)), frames[0])
    byfn[pick[0] + '  [' + pick[1] + ']'] += n
    byfile[pick[1]] += n
print('total bytes', sum(n for _, n, _ in sel))
print('\n== by source file')
for k, v in byfile.most_common(60): print(f'{v:7d} {k}')
print('\n== by innermost function')
for k, v in byfn.most_common(80): print(f'{v:7d} {k[:150]}')
