/* Natives for the device-FFI test: built for the chip's ISA into the qemu
 * runner (ESPB_NATIVE registers them), and natively with the script as the
 * oracle. Each returns or prints something that shows whether every
 * argument arrived in its place. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "espb_native.h"
#include "natives.h"

/* 12 integers: a0..a7 and four on the stack. */
long dev_sum12(int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7, int a8, int a9,
               int a10, int a11) {
    int v[12] = {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11};
    long s = 0;
    for (int i = 0; i < 12; i++) s = s * 3 + v[i];
    return s;
}
ESPB_NATIVE(dev_sum12);

/* 64-bit values in register pairs, split between a7 and the stack, and
 * 8-aligned on the stack; floats in FP registers on ilp32f only. */
void dev_mix(char *out, int n, int a, int64_t b, double c, float d, int e, int64_t f, float g,
             double h, int i, int64_t j) {
    snprintf(out, n, "%d %lld %.3f %.3f %d %lld %.3f %.3f %d %lld", a, (long long)b, c, d, e,
             (long long)f, g, h, i, (long long)j);
}
ESPB_NATIVE(dev_mix);

/* Ten floats: fa0..fa7, then integer registers on ilp32f. */
float dev_fsum10(float a, float b, float c, float d, float e, float f, float g, float h, float i,
                 float j) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j;
}
ESPB_NATIVE(dev_fsum10);

/* Five doubles: four register pairs, then the stack. */
double dev_dsum5(double a, double b, double c, double d, double e) {
    return a - b * 2 + c * 3 - d * 4 + e * 5;
}
ESPB_NATIVE(dev_dsum5);

int64_t dev_i64(int64_t a, int shift) { return (a << shift) ^ 0x0123456789abcdefLL; }
ESPB_NATIVE(dev_i64);

int dev_pair(struct dev_pair p, int k) { return p.a * k + p.b; }
ESPB_NATIVE(dev_pair);

int dev_vformat(char *out, int n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(out, n, fmt, ap);
    va_end(ap);
    return r;
}
ESPB_NATIVE(dev_vformat);
ESPB_NATIVE(snprintf);

int dev_divmod(int a, int b, int *q, int *r) {
    if (b == 0) return -1;
    *q = a / b;
    *r = a % b;
    return 0;
}
ESPB_NATIVE(dev_divmod);

/* Native objects the module holds as handles. */
struct dev_obj {
    int id;
};
struct dev_obj *dev_obj_new(int id) {
    struct dev_obj *o = malloc(sizeof *o);
    o->id = id;
    return o;
}
ESPB_NATIVE(dev_obj_new);
int dev_obj_id(struct dev_obj *o) { return o ? o->id : -1; }
ESPB_NATIVE(dev_obj_id);
void dev_obj_get(struct dev_obj **out, int id) { *out = dev_obj_new(id); }
ESPB_NATIVE(dev_obj_get);

/* Callbacks stored with their user data and called later. */
static dev_cb_t cbs[64];
static void *uds[64];
static int ncbs;
int dev_store(dev_cb_t cb, void *ud) {
    if (ncbs == 64) return -1;
    cbs[ncbs] = cb;
    uds[ncbs] = ud;
    return ncbs++;
}
ESPB_NATIVE(dev_store);
int dev_fire(int id, int v) { return id >= 0 && id < ncbs ? cbs[id](uds[id], v) : -1; }
ESPB_NATIVE(dev_fire);

/* Called by the runner after the instance is gone: the stored callbacks
 * must come back with 0 and not crash. */
void espb_after_unload(void) {
    int sum = 0;
    for (int i = 0; i < ncbs; i++) sum += cbs[i](uds[i], 1000);
    printf("after unload: %d callbacks returned %d\n", ncbs, sum);
}
