#!/usr/bin/env bash
# Code size of the runtime as a RISC-V chip carries it, next to wasm3 built the
# same way: each linked into the qemu runner's C start-up with picolibc
# (qemu-runner/c, --gc-sections, picolibc's libc first so C symbols are its
# own), minus the same start-up with an empty entry. espb: qemu-runner's
# static library (no_std, LTO, panic=abort) at opt-level "s" and 3, with the
# runtime's own libc/libm builtins and the JIT, without the builtins, and
# without either (the interpreter alone); wasm3 0.5.0 (vendor/wasm3)
# at -Os and -O2 with its driver (parse, load, compile, call). All of it is
# linker-relaxed: clang's default for the C side, `+relax` in
# qemu-runner/.cargo/config.toml for the Rust side.
#
#   benches/rv32/size.sh [rv32imc|rv32imafc]      (prints a Markdown table)
#
# SIZE_ONLY=PROFILE:FEATURES (e.g. release-size:no-default, the interpreter
# alone at opt-level s) builds and prints only that espb row, without wasm3:
# the quick loop for size work. With ATTRIB=1 as well, that build is redone
# with line tables (same code) and `size_attrib.py` prints where its bytes
# come from, per source file and function.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
isa=${1:-rv32imc}
case $isa in
  rv32imc) target=riscv32imc-unknown-none-elf; abi=ilp32; multi=rv32im/ilp32 ;;
  rv32imafc) target=riscv32imafc-unknown-none-elf; abi=ilp32f; multi=rv32imafc/ilp32f ;;
  *) echo "usage: $0 [rv32imc|rv32imafc]" >&2; exit 2 ;;
esac
out=$repo/target/rv32-size/$isa
mkdir -p "$out"
pico=/usr/lib/picolibc/riscv64-unknown-elf
libgcc=/usr/lib/gcc/riscv64-unknown-elf/12.2.0/$multi/libgcc.a
cdir=$repo/qemu-runner/c
cc() { clang-19 --target=riscv32-unknown-elf -march=$isa -mabi=$abi -ffunction-sections -fdata-sections \
  -nostdlibinc -w -isystem $pico/include "$@"; }
link() { local o=$1; shift; ld.lld-19 -T "$cdir/link.ld" --gc-sections "$out/start.o" "$out/glue.o" \
  "$out/natives_libc.o" --start-group $pico/lib/$multi/libc.a "$libgcc" "$@" --end-group -o "$o"; }
code() { llvm-size-19 -A "$1" | awk '$1 ~ /^\.(text|rodata|srodata|sdata2)/ {s += $2} END {print s}'; }
text() { llvm-size-19 -A "$1" | awk '$1 == ".text" {print $2}'; }

for f in start.S glue.c natives_libc.c; do cc -Os -I"$cdir" -c "$cdir/$f" -o "$out/${f%.*}.o"; done
echo 'int espb_runner_main(int c, char **v) { (void)v; return c; }' > "$out/empty.c"
cc -Os -c "$out/empty.c" -o "$out/empty.o"
link "$out/base.elf" "$out/empty.o"
base=$(code "$out/base.elf"); base_text=$(text "$out/base.elf")

row() { echo "| $1 | $(( $(text "$2") - base_text )) | $(( $(code "$2") - base )) |"; }
echo "| $isa | .text (bytes) | .text + .rodata (bytes) |"
echo "|---|---:|---:|"
for prof in release-size release; do
  for feat in default no-builtins no-default; do
    [ -n "${SIZE_ONLY:-}" ] && [ "$SIZE_ONLY" != "$prof:$feat" ] && continue
    flags=()
    [ "$feat" = no-builtins ] && flags=(--no-default-features --features jit)
    [ "$feat" = no-default ] && flags=(--no-default-features)
    (cd "$repo/qemu-runner" && cargo build -q --profile "$prof" --target "$target" "${flags[@]}" \
      --target-dir "$out/cargo-$feat")
    lib=$out/cargo-$feat/$target/$prof/libespb_qemu_runner.a
    link "$out/espb-$prof-$feat.elf" "$lib"
    level=$([ "$prof" = release-size ] && echo s || echo 3)
    case $feat in
      default) what="with libc/libm builtins and the JIT" ;;
      no-builtins) what="interpreter, JIT, loader, validator, FFI; no builtins" ;;
      no-default) what="interpreter, loader, validator, FFI; no builtins, no JIT" ;;
    esac
    row "espb, opt-level $level, $what" "$out/espb-$prof-$feat.elf"
    if [ -n "${SIZE_ONLY:-}" ] && [ -n "${ATTRIB:-}" ]; then
      pvar=CARGO_PROFILE_$(echo "$prof" | tr 'a-z-' 'A-Z_')_DEBUG
      (cd "$repo/qemu-runner" && env "$pvar=line-tables-only" cargo build -q \
        --profile "$prof" --target "$target" "${flags[@]}" --target-dir "$out/cargo-$feat-lines")
      link "$out/espb-$prof-$feat-lines.elf" "$out/cargo-$feat-lines/$target/$prof/libespb_qemu_runner.a"
      python3 "$repo/benches/rv32/size_attrib.py" "$out/espb-$prof-$feat-lines.elf" "$out/base.elf"
    fi
  done
done
[ -n "${SIZE_ONLY:-}" ] && exit 0
w3=$repo/benches/vendor/wasm3
for opt in Os O2; do
  mkdir -p "$out/w3$opt"
  for f in "$w3"/*.c "$repo/benches/rv32/wasm3_driver.c"; do
    cc -$opt -I"$w3" -I"$repo/benches/support" -Dd_m3HasWASI=0 -Dd_m3LogOutput=0 -DNDEBUG -DNASSERTS \
      -c "$f" -o "$out/w3$opt/$(basename "$f").o"
  done
  link "$out/wasm3-$opt.elf" "$out/w3$opt"/*.o
  row "wasm3 0.5.0, -$opt (parser, compiler, interpreter)" "$out/wasm3-$opt.elf"
done
echo
echo "(clang-19 / rustc $(rustc --version | cut -d' ' -f2), picolibc start-up baseline: $base_text bytes of .text, $base with .rodata)"
