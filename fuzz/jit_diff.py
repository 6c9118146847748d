#!/usr/bin/env python3
"""Differential fuzzing of the RISC-V JIT against the interpreter.

Random C programs from csmith (`apt-get install csmith`) go through the
translator (`cargo espb build` at -O0, -O2 or -Os, chosen per program) and
run three ways under the same conditions:

  * the host interpreter (`cargo espb run`),
  * the RISC-V runtime under qemu with the JIT off (`--qemu esp32c3 --jit off`),
  * the same runtime with every function compiled (`--jit all`),
  * and with eager tier-up (`--jit hot --jit-tier-up 1`).

A finding is any difference in stdout or exit status between the JIT run and
either interpreter run (a csmith program prints one checksum of all its
globals), or a JIT run that takes more than twice the interpreter's time
under qemu. Programs the translator refuses and programs the interpreter
does not finish in time are counted and skipped. Run it on a tree you are
not editing: the runner is rebuilt from the sources when they change. Each finding is kept (source, module,
the three outputs) in the work directory's `findings/`.

    fuzz/jit_diff.py --minutes 30          # until 30 minutes have passed
    fuzz/jit_diff.py --count 200 --seed 1  # 200 programs from seed 1

Prints the cumulative run time, programs run, skipped, and findings; writes
`summary.json` (cumulative over runs) in the work directory (default
`target/jit-fuzz`).
"""

import argparse
import concurrent.futures
import json
import os
import random
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSMITH_INCLUDE = "/usr/include/csmith"
LEVELS = ["-O0", "-O2", "-Os"]


def cargo_espb(args):
    exe = os.path.join(REPO, "target", "debug", "cargo-espb")
    return [exe, "espb", "-q"] + args


def run(cmd, timeout, cwd):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return None, "", "timeout"


def one(seed, work, timeout):
    """Returns ("ok" | "skip-build" | "skip-timeout" | "finding", detail)."""
    d = os.path.join(work, "runs", str(seed))
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "t.c")
    with open(src, "w") as f:
        p = subprocess.run(
            ["csmith", "--seed", str(seed), "--max-funcs", "6", "--max-block-depth", "4"],
            stdout=f,
            cwd=d,  # csmith writes platform.info where it runs
        )
    if p.returncode != 0:
        return "skip-build", "csmith failed"
    level = random.Random(seed).choice(LEVELS)
    code, _, err = run(
        cargo_espb(["build", level, "--cflags", f"-I{CSMITH_INCLUDE} -w", "t.c", "-o", "t.espb"]),
        120,
        d,
    )
    if code != 0:
        shutil.rmtree(d, ignore_errors=True)
        return "skip-build", err.strip().splitlines()[-1:] if err else ""
    host = run(cargo_espb(["run", "t.espb"]), timeout, d)
    if host[0] is None:
        shutil.rmtree(d, ignore_errors=True)
        return "skip-timeout", level
    # The interpreter under qemu is far slower than on the host: a program
    # it cannot finish is skipped (there is nothing to compare); the JIT
    # gets the same time as the interpreter had, so a hang is a finding.
    t0 = time.time()
    off = run(cargo_espb(["run", "--qemu", "esp32c3", "--jit", "off", "t.espb"]), timeout * 20, d)
    if off[0] is None:
        shutil.rmtree(d, ignore_errors=True)
        return "skip-timeout", level
    if off[0] != host[0] and "building the runtime" in off[2]:
        sys.exit(f"the qemu runner does not build:\n{off[2]}")
    jit = run(cargo_espb(["run", "--qemu", "esp32c3", "--jit", "all", "t.espb"]),
              max(2 * (time.time() - t0), timeout), d)
    # Eager tier-up: functions compiled while they run (on-stack replacement).
    tier = run(cargo_espb(["run", "--qemu", "esp32c3", "--jit", "hot", "--jit-tier-up", "1", "t.espb"]),
               max(2 * (time.time() - t0), timeout), d)
    same = (jit[0], jit[1]) == (off[0], off[1]) == (host[0], host[1]) == (tier[0], tier[1])
    if same:
        shutil.rmtree(d, ignore_errors=True)
        return "ok", level
    keep = os.path.join(work, "findings", f"{seed}{level}")
    shutil.rmtree(keep, ignore_errors=True)
    shutil.move(d, keep)
    with open(os.path.join(keep, "outputs.txt"), "w") as f:
        for name, r in (("host", host), ("qemu --jit off", off), ("qemu --jit all", jit),
                        ("qemu --jit hot --jit-tier-up 1", tier)):
            f.write(f"--- {name}: exit {r[0]}\n{r[1]}\n{r[2]}\n")
    return "finding", keep


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, help="stop starting programs after this long")
    ap.add_argument("--count", type=int, help="programs to run")
    ap.add_argument("--seed", type=int, default=int(time.time()), help="first csmith seed")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per host run")
    ap.add_argument("--work", default=os.path.join(REPO, "target", "jit-fuzz"))
    a = ap.parse_args()
    if a.minutes is None and a.count is None:
        a.count = 50
    if shutil.which("csmith") is None:
        sys.exit("csmith is not installed (apt-get install csmith)")
    subprocess.run(["cargo", "build", "-q", "-p", "cargo-espb"], cwd=REPO, check=True)
    os.makedirs(a.work, exist_ok=True)
    # Build the runner once before the parallel part.
    subprocess.run(cargo_espb(["run", "--qemu", "esp32c3", os.path.join(REPO, "tests/c/hello_printf.c")]),
                   cwd=a.work, capture_output=True)
    start = time.time()
    counts = {"ok": 0, "skip-build": 0, "skip-timeout": 0, "finding": 0}
    findings = []
    seed = a.seed
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        pending = set()

        def more():
            if a.count is not None and seed - a.seed >= a.count:
                return False
            if a.minutes is not None and time.time() - start > a.minutes * 60:
                return False
            return True

        while True:
            while len(pending) < a.jobs and more():
                pending.add(ex.submit(one, seed, a.work, a.timeout))
                seed += 1
            if not pending:
                break
            done, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for f in done:
                kind, detail = f.result()
                counts[kind] += 1
                if kind == "finding":
                    findings.append(detail)
                    print(f"FINDING: {detail}", flush=True)
    elapsed = time.time() - start
    summary_path = os.path.join(a.work, "summary.json")
    total = {"seconds": 0.0, "programs": 0, "counts": {k: 0 for k in counts}, "findings": []}
    if os.path.exists(summary_path):
        with open(summary_path) as f:
            total = json.load(f)
    total["seconds"] += elapsed
    total["programs"] += sum(counts.values())
    for k, v in counts.items():
        total["counts"][k] = total["counts"].get(k, 0) + v
    total["findings"] += findings
    with open(summary_path, "w") as f:
        json.dump(total, f, indent=2)
    print(f"this run: {elapsed / 60:.1f} min, seeds {a.seed}..{seed - 1}, {counts}")
    print(f"cumulative: {total['seconds'] / 60:.1f} min, {total['programs']} programs, {total['counts']}, "
          f"{len(total['findings'])} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
