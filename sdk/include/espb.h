/* espb.h: what scripts include to talk to the espb toolchain (the one copy;
 * `cargo espb build` puts it on every script's include path). The firmware's
 * C API to the runtime is a different header, `espb_runtime.h`. */
#ifndef ESPB_H
#define ESPB_H

/* Marks a function for the on-device JIT (sets its HOT flag):
 * `JIT_HOT int filter(int x) { ... }` */
#define JIT_HOT __attribute__((annotate("espb_jit_hot")))

#endif
