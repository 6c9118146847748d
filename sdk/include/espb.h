/* Helpers for espb scripts. */
#pragma once
/* Marks a function for the on-device JIT: `JIT_HOT int filter(int x) { ... }` */
#define JIT_HOT __attribute__((annotate("espb_jit_hot")))
