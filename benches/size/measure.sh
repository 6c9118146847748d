#!/usr/bin/env bash
# Code size of the espb runtime vs wasm3, as linked into a minimal C driver
# (load a module, call one export) with -Os and --gc-sections, minus the same
# driver without a runtime. espb: espb-runtime's C API static library
# (`--features capi`, release with opt-level="s", debug info off); wasm3:
# the vendored 0.5.0 sources at -Os. Also splits espb's figure into its own
# crates (espb_runtime, espb_format) and the Rust std/core/alloc it pulls in.
#
#   benches/size/measure.sh        (x86_64 host; prints a Markdown table)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$repo/target/size
mkdir -p "$out"
cc=${CC:-clang-19}
here=$repo/benches/size
flags=(-Os -ffunction-sections -fdata-sections -Wl,--gc-sections -s)

CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_DEBUG=0 \
  cargo rustc -q -p espb-runtime --release --features capi --crate-type staticlib \
  --target-dir "$out/cargo" >/dev/null
lib=$out/cargo/release/libespb_runtime.a

"$cc" "${flags[@]}" -o "$out/base" "$here/base.c"
"$cc" "${flags[@]}" -I"$repo/espb-runtime/include" -o "$out/espb_min" "$here/espb_min.c" "$lib" -lpthread -ldl -lm
"$cc" "${flags[@]}" -I"$repo/benches/vendor/wasm3" -Dd_m3HasWASI=0 -Dd_m3LogOutput=0 -DNDEBUG -DNASSERTS \
  -o "$out/wasm3_min" "$here/wasm3_min.c" "$repo"/benches/vendor/wasm3/*.c -lm
# same driver, unstripped, to attribute espb's bytes to crates
"$cc" -Os -ffunction-sections -fdata-sections -Wl,--gc-sections -I"$repo/espb-runtime/include" \
  -o "$out/espb_min.sym" "$here/espb_min.c" "$lib" -lpthread -ldl -lm

text() { size -A "$1" | awk '$1 ~ /^\.(text|rodata|data\.rel\.ro|eh_frame|eh_frame_hdr|gcc_except_table)/ {s += $2} END {print s}'; }
base=$(text "$out/base")
espb=$(( $(text "$out/espb_min") - base ))
w3=$(( $(text "$out/wasm3_min") - base ))
own=$(nm -C --size-sort -S "$out/espb_min.sym" | awk '$3 ~ /^[tTrR]$/ && ($4 ~ /^(<)?espb_(runtime|format)::/ || $4 ~ /^espb_/) {print $2}' | { s=0; while read h; do s=$((s + 16#$h)); done; echo $s; })
echo "| runtime | code + read-only data (bytes) |"
echo "|---|---:|"
echo "| espb (C API staticlib, opt-level=s) | $espb |"
echo "| — of which espb_runtime/espb_format symbols | $own |"
echo "| wasm3 0.5.0 (-Os) | $w3 |"
echo
echo "(x86_64, $("$cc" --version | head -1); sections .text .rodata .data.rel.ro .eh_frame* .gcc_except_table, driver baseline $base bytes subtracted)"
