#!/usr/bin/env bash
# Miri on the interpreter core (no FFI): the runtime's unit tests, the
# instruction and trap tests (every opcode, every trap, memory at its edges,
# threads sharing an instance, the builtins) and a slice of the random
# programs of tests/random_exec.rs. Needs the nightly toolchain's miri and
# rust-src components (`rustup +nightly component add miri rust-src`).
# Takes about an hour on a 2-core machine; ESPB_MIRI_RANDOM sets how many
# random modules (default 60); ESPB_MIRI_SKIP_LIB=1 skips the unit tests.
# libm is built with `force-soft-floats`: its x86 `sqrt` is inline assembly,
# which Miri cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
export LLVM_SYS_191_PREFIX=${LLVM_SYS_191_PREFIX:-/usr/lib/llvm-19}
# Weak-memory emulation is off: linear memory is accessed with atomics of
# the width of each access, so one byte may be written by a 1-byte and read
# by an 8-byte atomic (sequenced in one thread, or synchronised), which
# Miri's store-buffer emulation cannot represent (it stops with an internal
# error, "partially overlapping store buffer"). Data races are still
# detected.
# Leaks are not checked: tests leak on purpose (`Box::leak` for `'static`
# names).
export MIRIFLAGS="${MIRIFLAGS:-} -Zmiri-disable-weak-memory-emulation -Zmiri-ignore-leaks -Zmiri-env-forward=ESPB_RANDOM_ITERS"
[ "${ESPB_MIRI_SKIP_LIB:-0}" = 1 ] || cargo +nightly miri test -p espb-runtime --features libm/force-soft-floats --lib
cargo +nightly miri test -p espb-runtime --features libm/force-soft-floats --test opcodes --test traps --test memory \
  --test smoke --test threads --test builtins --test safepoint
ESPB_RANDOM_ITERS=${ESPB_MIRI_RANDOM:-60} cargo +nightly miri test -p espb-runtime --features libm/force-soft-floats --test random_exec
