/* Registering native functions with the qemu runner: each ESPB_NATIVE(f) puts
 * {"f", &f} in the `espb_natives` section, which the runner reads at start-up
 * (the linker script keeps the section; no list to maintain by hand). */
#ifndef ESPB_NATIVE_H
#define ESPB_NATIVE_H

struct espb_native {
    const char *name;
    void *addr;
};

#define ESPB_NATIVE(fn)                                                               \
    static const struct espb_native espb_native_##fn                                  \
        __attribute__((section("espb_natives"), used, aligned(4))) = {#fn, (void *)&fn}

#endif
