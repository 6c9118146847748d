#!/usr/bin/env python3
"""GCC's C torture `execute` tests through `cargo espb run`, compared with
the same programs built natively.

The tests come from Debian's `gcc-12-source` package (`apt-get install
gcc-12-source`): the script extracts `gcc/testsuite/gcc.c-torture/execute/*.c`
from its tarball. Each test is built natively (`clang-19 -m32 -msse2
-mfpmath=sse -funsigned-char`, riscv32's plain `char` is unsigned) at each
optimisation level; a test is *applicable* at a level when that native build
compiles and exits 0 (what every torture test does when it passes). It is
then built and run with `cargo espb run -O<level>` and passes when its exit
status and stdout equal the native ones.

    tests/conformance/torture.py                # -O0 and -O2, every test
    tests/conformance/torture.py -O 2 -k pr4    # one level, names containing pr4
    tests/conformance/torture.py --list-failures

Prints the pass count per level and the failures grouped by cause; writes
`results.json` in the work directory (default `target/torture`).
"""

import argparse
import concurrent.futures
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEST_DIR = "gcc/testsuite/gcc.c-torture/execute/"

# Old C that clang 16+ rejects by default; gcc's testsuite relies on it.
COMPAT = [
    "-w",
    "-Wno-error=implicit-function-declaration",
    "-Wno-error=implicit-int",
    "-Wno-error=int-conversion",
    "-Wno-error=incompatible-pointer-types",
    "-Wno-error=incompatible-function-pointer-types",
    "-Wno-error=return-mismatch",
]
NATIVE = ["clang-19", "-m32", "-msse2", "-mfpmath=sse", "-funsigned-char"]
# dg-options that change what the program means and that clang understands;
# target-specific and GCC-only options are left out.
KEPT_OPTION = re.compile(
    r"^-(fwrapv|fno-strict-overflow|std=\S+|fgnu89-inline|fno-inline|ffast-math"
    r"|fno-builtin\S*|finput-charset=\S+|f(no-)?(un)?signed-char|fno-strict-aliasing)$"
)
DG_OPTIONS = re.compile(
    r"dg-(?:additional-)?options\s+(?:\"([^\"]*)\"|\{([^}]*)\})\s*(\{[^}]*\})?\s*\}"
)


def find_tarball():
    found = sorted(glob.glob("/usr/src/gcc-12/gcc-12*.tar.*"))
    if not found:
        sys.exit("no gcc-12 source tarball: apt-get install gcc-12-source")
    return found[0]


def extract(tarball, work):
    dest = os.path.join(work, "src")
    stamp = os.path.join(dest, ".extracted")
    if os.path.exists(stamp):
        return dest
    os.makedirs(dest, exist_ok=True)
    print(f"extracting the execute tests from {tarball} ...", file=sys.stderr)
    with tarfile.open(tarball) as tf:
        for m in tf:
            name = m.name.split("/", 1)[-1]
            if not m.isfile() or not name.startswith(TEST_DIR):
                continue
            rel = name[len(TEST_DIR):]
            # Only the directory's own tests: builtins/ and ieee/ need
            # their own drivers and extra objects.
            if "/" in rel or not rel.endswith(".c"):
                continue
            with tf.extractfile(m) as f, open(os.path.join(dest, rel), "wb") as out:
                out.write(f.read())
    open(stamp, "w").close()
    return dest


# `dg-skip-if "" { ! { targets } }`: the test runs only on those targets.
ONLY_ON = re.compile(r"dg-skip-if\s+\"[^\"]*\"\s+\{\s*!\s*\{([^}]*)\}\s*\}")

# Tests that print addresses (`%p` of locals): their stdout differs between
# any two machines, so only the exit status is compared.
ADDRESS_OUTPUT = {"return-addr.c"}


def only_elsewhere(source):
    """Whether the test is restricted to targets other than riscv32."""
    text = open(source, encoding="latin-1").read()
    for m in ONLY_ON.finditer(text):
        targets = m.group(1).split()
        if not any(t.startswith(("riscv", "*-")) for t in targets):
            return True
    return False


def test_flags(source):
    """The dg-options of a test that apply here (no target selector)."""
    text = open(source, encoding="latin-1").read()
    flags = []
    for m in DG_OPTIONS.finditer(text):
        if m.group(3):  # `{ target ... }`: for some other machine
            continue
        for f in shlex.split(m.group(1) or m.group(2) or ""):
            if KEPT_OPTION.match(f):
                flags.append(f)
    return flags


def run(cmd, cwd, timeout, env=None):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=timeout, env=env)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or b"", e.stderr or b""


def normalise(msg):
    # The test's own file and line, and the function named, vary per test.
    msg = re.sub(r"^[\w.+-]+\.c:\d+: ", "", msg)
    msg = re.sub(r"\s*\(in\s*(function)?\s*(`[^`]*`)?\)?\s*$", "", msg)
    msg = re.sub(r"\(in function `[^`]*`\)", "", msg)
    msg = re.sub(r"/\S+\.espb", "MODULE", msg)
    msg = re.sub(r"`[^`]*`", "`X`", msg)
    msg = re.sub(r"\"[^\"]*\"", '"X"', msg)
    msg = re.sub(r"\b(0x[0-9a-fA-F]+|\d+)\b", "N", msg)
    msg = re.sub(r"%[\w.]+", "%X", msg)
    return msg.strip()[:160]


def classify(rc, stdout, stderr, native_out):
    err = stderr.decode("utf-8", "replace")
    # miette decorations and ANSI colours out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", err)
    if rc is None:
        return "timeout (outer)"
    if rc == 124:
        return "time limit"
    if rc == 101:
        m = re.search(r"the module trapped: task \"[^\"]*\": (.*)", plain)
        return "trap: " + normalise(m.group(1).split(" at ")[0] if m else "?")
    if rc == 1:
        for pat in (
            r"error: (.*)",
            r"× (.*)",
            r"(cannot instantiate .*)",
        ):
            lines = re.findall(pat, plain)
            lines = [
                l for l in lines
                if not any(w in l for w in ("could not translate", "could not compile", "compiling against"))
            ]
            if lines:
                return "espb error: " + normalise(lines[0])
        return "espb error: " + normalise(plain.strip().splitlines()[-1] if plain.strip() else "?")
    if rc != 0:
        return f"exit status {rc} (native 0)"
    if stdout != native_out:
        return "stdout differs"
    return None


def one(args, espb, src_dir, name, level):
    work = os.path.join(args.work, "run", f"O{level}", name[:-2])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    src = os.path.join(work, name)
    shutil.copy(os.path.join(src_dir, name), src)
    if only_elsewhere(src):
        return name, level, "n/a", "runs only on other targets (dg-skip-if)"
    flags = test_flags(src)
    opt = f"-O{level}"
    exe = os.path.join(work, "native")
    rc, _, err = run(NATIVE + [opt] + COMPAT + flags + [name, "-o", exe, "-lm"], work, 120)
    if rc != 0:
        return name, level, "n/a", "native build fails"
    rc, native_out, _ = run([exe], work, 20)
    if rc != 0:
        return name, level, "n/a", f"native run exits {rc}"
    env = dict(os.environ, TMPDIR=os.path.join(args.work, "tmp"))
    cmd = [espb, "espb", "-q", "run", opt, "--time-limit", str(args.time_limit)]
    cmd += ["--cflags", " ".join(COMPAT + flags), name]
    rc, out, err = run(cmd, work, args.time_limit + 60, env)
    if name in ADDRESS_OUTPUT:
        native_out = out
    why = classify(rc, out, err, native_out)
    if why is None:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        return name, level, "pass", ""
    with open(os.path.join(work, "espb.stderr"), "wb") as f:
        f.write(err)
    return name, level, "fail", why


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-O", dest="levels", action="append", help="optimisation level (repeatable; default 0 and 2)")
    ap.add_argument("-k", dest="filter", action="append",
                    help="only tests whose name contains this (repeatable: any of them)")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 2, help="tests at once")
    ap.add_argument("--work", default=os.path.join(REPO, "target", "torture"))
    ap.add_argument("--tarball", default=None)
    ap.add_argument("--espb", help="cargo-espb binary (default: build it with cargo, release profile)")
    ap.add_argument("--debug", action="store_true", help="build cargo-espb with the dev profile")
    ap.add_argument("--time-limit", type=int, default=30, help="seconds per espb run")
    ap.add_argument("--keep", action="store_true", help="keep the work files of passing tests")
    ap.add_argument("--list-failures", action="store_true", help="name every failing test under its cause")
    ap.add_argument("--failed", action="store_true",
                    help="only the tests that failed in the previous run's results.json")
    args = ap.parse_args()
    args.work = os.path.abspath(args.work)
    levels = args.levels or ["0", "2"]
    os.makedirs(os.path.join(args.work, "tmp"), exist_ok=True)

    espb = args.espb
    if espb and os.sep in espb:
        espb = os.path.abspath(espb)
    if not espb:
        profile = "dev" if args.debug else "release"
        subprocess.run(["cargo", "build", "-q", "-p", "cargo-espb", "--profile", profile], cwd=REPO, check=True)
        espb = os.path.join(REPO, "target", "debug" if args.debug else "release", "cargo-espb")
    src_dir = extract(args.tarball or find_tarball(), args.work)
    names = sorted(n for n in os.listdir(src_dir) if n.endswith(".c"))
    if args.failed:
        with open(os.path.join(args.work, "results.json")) as f:
            failed = {r["test"] for r in json.load(f) if r["result"] == "fail"}
        names = [n for n in names if n in failed]
    if args.filter:
        names = [n for n in names if any(k in n for k in args.filter)]

    started = time.time()
    results = []
    with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        futs = [pool.submit(one, args, espb, src_dir, n, l) for l in levels for n in names]
        for i, f in enumerate(concurrent.futures.as_completed(futs), 1):
            results.append(f.result())
            if sys.stderr.isatty():
                print(f"\r{i}/{len(futs)}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    results.sort(key=lambda r: (r[1], r[0]))
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump([{"test": n, "level": f"O{l}", "result": r, "why": w} for n, l, r, w in results], f, indent=1)

    for level in levels:
        mine = [r for r in results if r[1] == level]
        app = [r for r in mine if r[2] != "n/a"]
        passed = sum(r[2] == "pass" for r in app)
        pct = 100.0 * passed / len(app) if app else 0.0
        print(f"-O{level}: {passed} of {len(app)} applicable tests pass ({pct:.1f}%); "
              f"{len(mine) - len(app)} not applicable (native build or run fails, or the test is for other targets)")
        groups = {}
        for n, _, r, w in app:
            if r == "fail":
                groups.setdefault(w, []).append(n[:-2])
        for why, tests in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            shown = " ".join(tests) if args.list_failures else " ".join(tests[:6]) + (" ..." if len(tests) > 6 else "")
            print(f"  {len(tests):4}  {why}\n        {shown}")
    print(f"({time.time() - started:.0f} s; work files in {args.work})")


if __name__ == "__main__":
    main()
