/* A C host program embedding the espb runtime through espb.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "espb.h"

static int mul(void *user, const uint64_t *args, size_t nargs, uint64_t *out) {
    int k = *(const int *)user;
    if (nargs != 2) return 1;
    *out = (uint32_t)((int32_t)args[0] * (int32_t)args[1] * k);
    return 0;
}

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) return NULL;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    size_t len = 0;
    uint8_t *bytes = read_file(argv[1], &len);
    if (!bytes) return 3;

    static int k = 3;
    espb_symbol syms[] = {{NULL, NULL, NULL}, {"host_mul", mul, &k}};
    if (espb_register_symbol_table("app", 0xABCDEFull, syms, 2) != ESPB_OK) return 4;

    espb_instance *inst = espb_load(bytes, len, NULL);
    if (!inst) {
        printf("load failed: %s\n", espb_last_error());
        return 1;
    }
    espb_value a[2] = {{ESPB_I32, {.i32 = 50}}, {ESPB_I32, {.i32 = 7}}};
    espb_value r;
    espb_status st = espb_call_by_name(inst, "fib", a, 1, &r);
    printf("fib(50) = %" PRId64 " (status %d, type %d)\n", r.v.i64, st, r.type);
    st = espb_call_by_name(inst, "mul", a, 2, &r);
    printf("mul(50, 7) = %d (status %d)\n", r.v.i32, st);
    espb_value z[2] = {{ESPB_I32, {.i32 = 1}}, {ESPB_I32, {.i32 = 0}}};
    st = espb_call_by_name(inst, "div", z, 2, &r);
    printf("div(1, 0): status %d: %s\n", st, espb_last_error());
    st = espb_call_by_name(inst, "nope", NULL, 0, &r);
    printf("nope: status %d: %s\n", st, espb_last_error());
    fflush(stdout);
    st = espb_call_by_name(inst, "hello", NULL, 0, NULL);
    fflush(stdout);
    printf("hello: status %d\n", st);
    espb_value code = {ESPB_I32, {.i32 = 9}};
    st = espb_call_by_name(inst, "quit", &code, 1, &r);
    printf("quit: status %d code %d\n", st, r.v.i32);
    espb_unload(inst);

    uint8_t junk[6] = {'E', 'S', 'P', 'B', 9, 0};
    inst = espb_load(junk, sizeof junk, NULL);
    printf("junk: %s: %s\n", inst ? "loaded?!" : "refused", espb_last_error());

    espb_register_symbol_table("app", 0x1111ull, syms, 2);
    inst = espb_load(bytes, len, NULL);
    printf("other table: %s: %s\n", inst ? "loaded?!" : "refused", espb_last_error());
    free(bytes);
    return 0;
}
