#!/usr/bin/env python3
"""The benchmark programs on RV32 under qemu-riscv32 (the ESP32-C3's CPU
model: rv32imc), counted in executed instructions with the TCG plugin in
`shared/tools/qemu-insncount.c`; every engine in one run:

  * native: each program built by clang-19 for rv32imc (-O2, as the espb
    builds) and linked with the qemu runner's own start-up, syscalls and
    picolibc (`qemu-runner/c`), so that native and espb share everything
    but the engine;
  * espb interpreter: the qemu runner (`cargo espb run --qemu esp32c3`'s
    runtime) with `--jit off`;
  * espb JIT: the same runner with `--jit hot` (functions marked `JIT_HOT`,
    the default) and `--jit all` (every function compiled).

Each run's start-up (loading, instantiating, compiling) is measured with a
program whose main returns at once and subtracted from the others; the raw
counts are in `--json`. Each output is checked against the native run's.

    benches/rv32/measure.py                 # prints the Markdown table
    benches/rv32/measure.py -k fib --json   # one benchmark, JSON rows

Needs: clang-19, ld.lld-19, qemu-user, picolibc-riscv64-unknown-elf, gcc (for
the plugin), and a built `cargo-espb` (`cargo build -p cargo-espb`).
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLUGIN_SRC = os.environ.get("ESPB_INSNCOUNT_SRC", "/work/shared/tools/qemu-insncount.c")
PICOLIBC = "/usr/lib/picolibc/riscv64-unknown-elf"
LIBGCC = "/usr/lib/gcc/riscv64-unknown-elf/12.2.0/rv32im/ilp32/libgcc.a"
CPU = "rv32,a=false,f=false,d=false"
CFLAGS = ["-O2", "-ffp-contract=off", "-fno-math-errno"]
ENGINES = [("interp", "off"), ("jit hot", "hot"), ("jit all", "all")]


def sh(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0 and not kw.get("check_ok"):
        pass
    return p


def count(cmd, plugin):
    p = subprocess.run(["qemu-riscv32", "-plugin", plugin, "-d", "plugin", "-cpu", CPU] + cmd,
                       capture_output=True, text=True)
    m = re.search(r"insns: (\d+)", p.stderr)
    if not m:
        sys.exit(f"no instruction count from {cmd}: {p.stderr[-500:]}")
    return int(m.group(1)), p.stdout, p.returncode


def native(src, work):
    cdir = os.path.join(REPO, "qemu-runner", "c")
    shim = os.path.join(work, "shim.c")
    with open(shim, "w") as f:
        f.write("int main(void);\n"
                "int espb_runner_main(const unsigned char *m, unsigned n, const char *p, int c, char **v)"
                " { return main(); }\n"
                "void espb_runner_set_jit(const char *m) {}\n")
    objs = []
    for s in [os.path.join(cdir, "start.S"), os.path.join(cdir, "glue.c"), shim, src]:
        o = os.path.join(work, os.path.basename(s) + ".o")
        r = sh(["clang-19", "--target=riscv32-unknown-elf", "-march=rv32imc", "-mabi=ilp32",
                "-ffunction-sections", "-fdata-sections", "-nostdlibinc", "-isystem",
                os.path.join(PICOLIBC, "include"), "-I", cdir, "-w", "-c", s, "-o", o] + CFLAGS)
        if r.returncode != 0:
            sys.exit(f"native build of {s} failed:\n{r.stderr}")
        objs.append(o)
    elf = os.path.join(work, os.path.basename(src) + ".elf")
    r = sh(["ld.lld-19", "-T", os.path.join(cdir, "link.ld"), "--gc-sections"] + objs +
           ["--start-group", os.path.join(PICOLIBC, "lib/rv32im/ilp32/libc.a"), LIBGCC, "--end-group",
            "-o", elf])
    if r.returncode != 0:
        sys.exit(f"native link failed:\n{r.stderr}")
    return elf


def espb_module(src, work, cargo_espb, env):
    out = os.path.join(work, os.path.basename(src) + ".espb")
    # The memory the benchmark harness gives them (benches/src/peer_espb.rs).
    r = sh([cargo_espb, "espb", "-q", "build", "-O2", "--cflags", " ".join(CFLAGS[1:]),
            "--heap-size", "4M", "--stack-size", "64K", src, "-o", out],
           env=env, cwd=work)
    if r.returncode != 0:
        sys.exit(f"espb build of {src} failed:\n{r.stderr}")
    return out


def runner(cargo_espb, env, work):
    # `cargo espb run --qemu` builds (or finds) the runner; its path is in the
    # verbose command log.
    hello = os.path.join(work, "empty.c")
    r = sh([cargo_espb, "espb", "-v", "run", "--qemu", "esp32c3", hello], env=env, cwd=work)
    m = re.findall(r"(\S*espb-qemu-runner)\b", r.stderr + r.stdout)
    elf = [x for x in m if os.path.isfile(x)]
    if not elf:
        sys.exit(f"cannot find the qemu runner:\n{r.stderr[-2000:]}")
    return elf[-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", help="only benchmarks whose name contains this")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    cargo_espb = os.path.join(REPO, "target", "debug", "cargo-espb")
    if not os.path.exists(cargo_espb):
        sys.exit("build cargo-espb first: cargo build -p cargo-espb")
    work = tempfile.mkdtemp(prefix="espb-rv32-")
    env = dict(os.environ, ESPB_CACHE_DIR=os.path.join(work, "cache"))
    plugin = os.path.join(work, "insncount.so")
    if sh(["gcc", "-O2", "-shared", "-fPIC", "-o", plugin, PLUGIN_SRC]).returncode != 0:
        sys.exit(f"cannot build the plugin from {PLUGIN_SRC}")
    with open(os.path.join(work, "empty.c"), "w") as f:
        f.write("int main(void) { return 0; }\n")
    run_elf = runner(cargo_espb, env, work)
    srcs = sorted(os.path.join(REPO, "benches", "c", f) for f in os.listdir(os.path.join(REPO, "benches", "c"))
                  if f.endswith(".c") and (a.k is None or a.k in f))
    rows = []
    for src in [os.path.join(work, "empty.c")] + srcs:
        name = os.path.basename(src)[:-2]
        nat, nat_out, nat_code = count([native(src, work), "/dev/null"], plugin)
        mod = espb_module(src, work, cargo_espb, env)
        row = {"benchmark": "start-up" if name == "empty" else name, "native": nat}
        for label, mode in ENGINES:
            n, out, code = count([run_elf, f"--jit={mode}", mod], plugin)
            if (out, code) != (nat_out, nat_code):
                sys.exit(f"{name} --jit {mode}: output differs from native:\n{out}\nvs\n{nat_out}")
            row[label] = n
        rows.append(row)
        print(f"{row['benchmark']}: " + ", ".join(f"{k} {v}" for k, v in row.items() if k != "benchmark"),
              file=sys.stderr, flush=True)
    if a.json:
        print(json.dumps(rows, indent=1))
        return
    # Each engine's own start-up (the `start-up` row) is subtracted: the
    # table compares the work of the programs.
    base = rows[0]
    print("Counts are millions of executed instructions minus each engine's start-up row; "
          "ratios are to native.\n")
    print("| benchmark | native RV32 | espb interpreter | espb JIT (hot) | espb JIT (all) | interp/JIT (hot) | interp/JIT (all) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print("| start-up (not subtracted) | " + " | ".join(f"{base[k] / 1e6:.2f} M" for k in
                                                        ["native", "interp", "jit hot", "jit all"]) + " | | |")
    logs = {k: [] for k in ["interp", "jit hot", "jit all"]}
    for r in rows[1:]:
        net = {k: max(r[k] - base[k], 1) for k in ["native", "interp", "jit hot", "jit all"]}
        n = net["native"]
        cells = [f"{n / 1e6:.2f} M"]
        for k in ["interp", "jit hot", "jit all"]:
            cells.append(f"{net[k] / 1e6:.2f} M ({net[k] / n:.2f}×)")
            logs[k].append(math.log(net[k] / n))
        cells.append(f"{net['interp'] / net['jit hot']:.2f}×")
        cells.append(f"{net['interp'] / net['jit all']:.2f}×")
        print(f"| {r['benchmark']} | " + " | ".join(cells) + " |")
    g = {k: math.exp(sum(v) / len(v)) for k, v in logs.items() if v}
    if g:
        print(f"| **geomean ×native** | 1 | **{g['interp']:.2f}×** | **{g['jit hot']:.2f}×** "
              f"| **{g['jit all']:.2f}×** | | |")


if __name__ == "__main__":
    main()
