#!/usr/bin/env bash
# Measures the espb interpreter's dynamic opcode and opcode-pair frequencies
# on the benchmark programs: a private copy of espb-runtime (under
# target/opstats, never the real crate) gets a counter at its dispatch point,
# a small runner executes each benchmark once and prints Markdown tables.
#
#   benches/profile/opcode-pairs.sh [NAME...]      (default: every benches/c/*.c)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$repo/target/opstats
rm -rf "$work/espb-runtime" "$work/runner" "$work/bc"
mkdir -p "$work/runner/src" "$work/bc"

cp -r "$repo/espb-runtime" "$work/espb-runtime"
rt=$work/espb-runtime
# Make the copy stand alone: concrete package fields, absolute path deps.
sed -i -e 's/^version.workspace = true/version = "0.0.0"/' \
       -e 's/^edition.workspace = true/edition = "2021"/' \
       -e '/^license.workspace = true/d' \
       -e "s|path = \"\.\./|path = \"$repo/|g" "$rt/Cargo.toml"
sed -i '/^\[dev-dependencies\]/,$d' "$rt/Cargo.toml"
cp "$repo/benches/profile/opstats.rs" "$rt/src/opstats.rs"
echo 'pub mod opstats;' >> "$rt/src/lib.rs"
hook='let op = unsafe { pc.opcode() };'
grep -qF "$hook" "$rt/src/interp/dispatch.rs" || { echo "dispatch point '$hook' not found in interp/dispatch.rs" >&2; exit 1; }
sed -i "s|$hook|$hook crate::opstats::record(op as u8);|" "$rt/src/interp/dispatch.rs"

cat > "$work/runner/Cargo.toml" <<TOML
[package]
name = "espb-opstats"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
espb-runtime = { path = "$rt" }
espb-codegen = { path = "$repo/espb-codegen" }

[profile.release]
debug = 0
TOML
cp "$repo/benches/profile/runner/main.rs" "$work/runner/src/main.rs"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$repo"/benches/c/*.c; do names+=("$(basename "${f%.c}")"); done
fi
bcs=()
for n in "${names[@]}"; do
  clang-19 --target=riscv32-unknown-elf -march=rv32imac -mabi=ilp32 -isystem /usr/include/newlib \
    -emit-llvm -c -O2 -ffp-contract=off -fno-math-errno -o "$work/bc/$n.bc" "$repo/benches/c/$n.c"
  bcs+=("$work/bc/$n.bc")
done
cd "$work/runner"
LLVM_SYS_191_PREFIX=${LLVM_SYS_191_PREFIX:-/usr/lib/llvm-19} \
  cargo run -q --release --target-dir "$work/target" -- "${bcs[@]}"
