#!/usr/bin/env bash
# Miri on the interpreter core (no FFI): the runtime's unit tests, the
# instruction and trap tests (every opcode, every trap, memory at its edges,
# threads sharing an instance, the builtins) and a slice of the random
# programs of tests/random_exec.rs. Needs the nightly toolchain's miri and
# rust-src components (`rustup +nightly component add miri rust-src`).
# Takes about an hour on a 2-core machine; ESPB_MIRI_RANDOM sets how many
# random modules (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
export LLVM_SYS_191_PREFIX=${LLVM_SYS_191_PREFIX:-/usr/lib/llvm-19}
export MIRIFLAGS="${MIRIFLAGS:-} -Zmiri-env-forward=ESPB_RANDOM_ITERS"
cargo +nightly miri test -p espb-runtime --lib
cargo +nightly miri test -p espb-runtime --test opcodes --test traps --test memory \
  --test smoke --test threads --test builtins --test safepoint
ESPB_RANDOM_ITERS=${ESPB_MIRI_RANDOM:-60} cargo +nightly miri test -p espb-runtime --test random_exec
