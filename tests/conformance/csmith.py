#!/usr/bin/env python3
"""Random C programs from csmith through `cargo espb run`, compared with the
same programs built natively: the on-demand side of the standing differential
check (`espb-codegen/tests/csmith.rs` runs a fixed set in CI).

Each seed's program is generated with the same small-program options as the
CI test (`--full` drops them: csmith's defaults, larger programs), built
natively (`clang-19 -m32 -funsigned-char -O1`; plain `char` is unsigned on
riscv32) and run; a seed counts when that run exits 0 within the time limit.
It is then run with `cargo espb run -O<level>` at each level and passes when
stdout (csmith's checksum) and the exit status match.

    tests/conformance/csmith.py --seeds 1:2000 -j 2
    tests/conformance/csmith.py --seeds 4711:4712 --reduce   # minimise a mismatch

`--reduce` runs creduce on every mismatch, keeping programs whose native
build is free of undefined behaviour (UBSan) and that still differ the same
way; the reduced program lands in `<work>/reduced/` and belongs in
`tests/c/` as a corpus test. Results go to `<work>/results.json`.
"""

import argparse
import concurrent.futures
import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INCLUDE = "/usr/include/csmith"
# Keep in step with CSMITH_ARGS in espb-codegen/tests/csmith.rs.
SMALL = [
    "--max-funcs", "3", "--max-block-depth", "3", "--max-block-size", "4",
    "--max-expr-complexity", "5", "--max-array-len-per-dim", "5", "--max-struct-fields", "5",
]
NATIVE = ["clang-19", "-m32", "-msse2", "-mfpmath=sse", "-funsigned-char", "-O1", "-w", f"-I{INCLUDE}"]


def run(cmd, cwd, timeout):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return None, b"", b""


def espb_cmd(espb, level, time_limit, src):
    return [espb, "espb", "-q", "run", f"-O{level}", "--time-limit", str(time_limit),
            "--cflags", f"-w -I{INCLUDE}", src]


def why(rc, out, err, want):
    if rc is None:
        return "time-out"
    if rc == 124:
        return "time limit"
    if rc != 0:
        lines = [l for l in err.decode("utf-8", "replace").splitlines() if l.strip()]
        first = next((l for l in lines if "×" in l or "error" in l), lines[0] if lines else "")
        return f"exit {rc}: {first.strip()[:200]}"
    if out != want:
        return f"stdout {out.decode(errors='replace').strip()!r} vs native {want.decode(errors='replace').strip()!r}"
    return None


def one(args, seed):
    r = check_seed(args, seed)
    if r[1] == "skipped" and not args.keep:
        shutil.rmtree(os.path.join(args.work, "run", str(seed)), ignore_errors=True)
    return r


def check_seed(args, seed):
    work = os.path.join(args.work, "run", str(seed))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    src = os.path.join(work, f"s{seed}.c")
    gen = ["csmith", "--seed", str(seed), "-o", src] + ([] if args.full else SMALL)
    if subprocess.run(gen, capture_output=True, cwd=work).returncode != 0:
        return seed, "skipped", "csmith failed", []
    rc, _, _ = run(NATIVE + [src, "-o", os.path.join(work, "native")], work, 120)
    if rc != 0:
        return seed, "skipped", "native build fails", []
    rc, want, _ = run([os.path.join(work, "native")], work, args.native_limit)
    if rc != 0:
        return seed, "skipped", "native run times out or fails", []
    diffs = []
    slow = []
    for level in args.levels:
        rc, out, err = run(espb_cmd(args.espb, level, args.time_limit, src), work, args.time_limit + 120)
        w = why(rc, out, err, want)
        if w in ("time limit", "time-out"):
            # Interpreted unoptimised code can be 100x slower than the
            # native -O1 build: too slow to compare, not a mismatch.
            slow.append(level)
        elif w:
            diffs.append((level, w))
    if not diffs and slow:
        return seed, "slow", "over the time limit at " + " ".join(f"-O{l}" for l in slow), []
    if not diffs:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        return seed, "same", "", []
    if args.reduce:
        for level, w in diffs:
            reduce(args, seed, src, level, w)
    return seed, "differs", diffs[0][1], diffs


INTERESTING = """#!/bin/sh
# creduce interestingness test: the native build is free of undefined
# behaviour and exits 0, and espb at -O{level} still {what}.
set -u
f=prog.c
clang-19 -m32 -funsigned-char -O1 -w -I{inc} -fsanitize=undefined -fno-sanitize-recover=all $f -o ub 2>/dev/null || exit 1
timeout 5 ./ub > ub.out 2> ub.err || exit 1
[ -s ub.err ] && exit 1
clang-19 {native} $f -o native 2>/dev/null || exit 1
timeout 5 ./native > want.out || exit 1
{espb} > got.out 2> got.err
rc=$?
{check}
"""


def reduce(args, seed, src, level, w):
    rdir = os.path.join(args.work, "reduce", f"s{seed}-O{level}")
    shutil.rmtree(rdir, ignore_errors=True)
    os.makedirs(rdir)
    shutil.copy(src, os.path.join(rdir, "prog.c"))
    for h in os.listdir(INCLUDE):
        shutil.copy(os.path.join(INCLUDE, h), rdir)
    espb = " ".join(shlex.quote(a) for a in espb_cmd(args.espb, level, args.time_limit, "prog.c"))
    if w.startswith("stdout"):
        what, check = "prints something else", "[ $rc -eq 0 ] && ! cmp -s got.out want.out"
    else:
        key = w.split(":", 1)[0]
        what = f"fails the same way ({key})"
        check = f'[ "exit $rc" = {shlex.quote(key)} ]'
    script = os.path.join(rdir, "interesting.sh")
    with open(script, "w") as f:
        f.write(INTERESTING.format(level=level, what=what, inc=INCLUDE, espb=espb, check=check,
                                   native=" ".join(NATIVE[1:])))
    os.chmod(script, os.stat(script).st_mode | stat.S_IEXEC)
    if subprocess.run([script], cwd=rdir, capture_output=True).returncode != 0:
        print(f"seed {seed} -O{level}: not reducible (UB in the program or flaky)", file=sys.stderr)
        return
    subprocess.run(["creduce", "--n", str(args.j), "./interesting.sh", "prog.c"], cwd=rdir,
                   capture_output=True)
    out = os.path.join(args.work, "reduced", f"csmith_s{seed}_O{level}.c")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    shutil.copy(os.path.join(rdir, "prog.c"), out)
    print(f"seed {seed} -O{level}: reduced to {out}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="1:500", help="seed range FIRST:END (END excluded)")
    ap.add_argument("-O", dest="levels", action="append", help="level (repeatable; default 0, 2, s)")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--work", default=os.path.join(REPO, "target", "csmith"))
    ap.add_argument("--espb", help="cargo-espb binary (default: build it, release profile)")
    ap.add_argument("--full", action="store_true", help="csmith's default program size")
    ap.add_argument("--time-limit", type=int, default=60, help="seconds per espb run")
    ap.add_argument("--native-limit", type=int, default=5, help="seconds per native run")
    ap.add_argument("--keep", action="store_true", help="keep the files of identical seeds")
    ap.add_argument("--reduce", action="store_true", help="creduce every mismatch")
    args = ap.parse_args()
    args.work = os.path.abspath(args.work)
    args.levels = args.levels or ["0", "2", "s"]
    first, end = (int(x) for x in args.seeds.split(":"))
    if not shutil.which("csmith"):
        sys.exit("csmith is not installed: apt-get install csmith")
    if args.espb:
        args.espb = os.path.abspath(args.espb) if os.sep in args.espb else args.espb
    else:
        subprocess.run(["cargo", "build", "-q", "-p", "cargo-espb", "--release"], cwd=REPO, check=True)
        args.espb = os.path.join(REPO, "target", "release", "cargo-espb")
    os.makedirs(args.work, exist_ok=True)
    started = time.time()
    results = []
    with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        futs = [pool.submit(one, args, s) for s in range(first, end)]
        for i, f in enumerate(concurrent.futures.as_completed(futs), 1):
            results.append(f.result())
            if sys.stderr.isatty():
                print(f"\r{i}/{len(futs)}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    results.sort()
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump([{"seed": s, "result": r, "why": w, "levels": d} for s, r, w, d in results], f, indent=1)
    same = sum(r[1] == "same" for r in results)
    differs = [r for r in results if r[1] == "differs"]
    skipped = sum(r[1] == "skipped" for r in results)
    slow = [r for r in results if r[1] == "slow"]
    levels = "/".join(f"-O{l}" for l in args.levels)
    print(f"csmith seeds {first}..{end - 1}: {same} of {same + len(differs)} programs identical at {levels}; "
          f"{len(differs)} differ; {len(slow)} too slow to compare within {args.time_limit} s at some level "
          f"(identical at the others); {skipped} skipped (native build or run fails or times out)")
    for s, _, w, _ in slow:
        print(f"  seed {s}: {w}")
    for s, _, _, d in differs:
        for level, w in d:
            print(f"  seed {s} -O{level}: {w}")
    print(f"({time.time() - started:.0f} s; work files in {args.work})")
    sys.exit(1 if differs else 0)


if __name__ == "__main__":
    main()
