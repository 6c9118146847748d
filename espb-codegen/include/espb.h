/* espb.h: what scripts include to talk to the espb toolchain. */
#ifndef ESPB_H
#define ESPB_H

/* Marks a function for on-device JIT compilation (sets the HOT flag). */
#define JIT_HOT __attribute__((annotate("espb_jit_hot")))

#endif
