/* A C program embedding the espb runtime through espb_runtime.h, as firmware
 * does: natives by address (a fast-symbol table and by name), a raw native,
 * calls, traps, exit, refused modules. argv: app.espb, needs_nvs.espb, the
 * hash of the three-slot table `app` (hex), the hash of a four-slot one. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "espb_runtime.h"

/* Plain C natives: the module calls them through the FFI. */
int c_scale(int a, int b) { return a * b * 3; }
long long c_wide(long long x) { return x * 1000000007LL; }

static int raw_add(void *user, const uint64_t *args, size_t nargs, uint64_t *out)
{
    int k = *(const int *)user;
    if (nargs != 2) return 1;
    *out = (uint32_t)((int32_t)args[0] + (int32_t)args[1] + k);
    return 0;
}

static uint8_t *read_file(const char *path, size_t *len)
{
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

static void captured(void *user, const char *bytes, size_t len)
{
    size_t *total = user;
    *total += len;
    printf("[captured %zu bytes: %.*s]\n", len, (int)len, bytes);
}

int main(int argc, char **argv)
{
    if (argc < 5) return 2;
    size_t len = 0, len2 = 0;
    uint8_t *bytes = read_file(argv[1], &len);
    uint8_t *nvs = read_file(argv[2], &len2);
    if (!bytes || !nvs) return 3;
    uint64_t hash3 = strtoull(argv[3], NULL, 16);
    uint64_t hash4 = strtoull(argv[4], NULL, 16);

    static int k = 100;
    if (espb_register_raw_native("raw_add", raw_add, &k) != ESP_OK) return 4;
    const espb_native_t slots[] = {
        {"unused", NULL, NULL},
        {"c_scale", (const void *)&c_scale, NULL},
        {"printf", NULL, NULL}, /* the runtime serves it */
    };
    const espb_native_t named[] = {
        {"c_wide", (const void *)&c_wide, NULL},
        {"nvs_*", NULL, "component nvs_flash"},
    };
    const espb_native_table_t tables[] = {
        {"app", hash3, slots, 3},
        {NULL, 0, named, 2},
    };
    esp_err_t err = espb_register_natives(tables, 2);
    printf("register: %d %s\n", err, espb_last_error());

    espb_instance_t *inst = NULL;
    err = espb_load(bytes, len, NULL, &inst);
    if (err != ESP_OK) {
        printf("load failed: %d %s\n", err, espb_last_error());
        return 1;
    }
    espb_value_t a[2] = {{ESPB_I32, {.i32 = 50}}, {ESPB_I32, {.i32 = 7}}};
    espb_value_t r;
    err = espb_call(inst, "fib", a, 1, &r);
    printf("fib(50) = %" PRId64 " (err %d, type %d)\n", r.v.i64, err, r.type);
    err = espb_call(inst, "scale", a, 2, &r);
    printf("scale(50, 7) = %d (err %d)\n", r.v.i32, err);
    err = espb_call(inst, "add", a, 2, &r);
    printf("add(50, 7) = %d (err %d)\n", r.v.i32, err);
    espb_value_t w = {ESPB_I64, {.i64 = 3}};
    err = espb_call(inst, "wide", &w, 1, &r);
    printf("wide(3) = %" PRId64 " (err %d)\n", r.v.i64, err);
    espb_value_t z[2] = {{ESPB_I32, {.i32 = 1}}, {ESPB_I32, {.i32 = 0}}};
    err = espb_call(inst, "div", z, 2, &r);
    printf("div(1, 0): %s: %s\n", err == ESPB_ERR_TRAP ? "ESPB_ERR_TRAP" : "?", espb_last_error());
    err = espb_call(inst, "nope", NULL, 0, &r);
    printf("nope: %s: %s\n", err == ESP_ERR_NOT_FOUND ? "ESP_ERR_NOT_FOUND" : "?", espb_last_error());
    err = espb_call(inst, "fib", z, 2, &r);
    printf("fib(1, 0): %s\n", err == ESP_ERR_INVALID_ARG ? "ESP_ERR_INVALID_ARG" : "?");
    /* The module's printf and ours share C's stdout: no flush needed to keep
     * the order. */
    printf("before hello\n");
    err = espb_call(inst, "hello", NULL, 0, NULL);
    printf("hello: err %d, running %zu\n", err, espb_running(inst));
    size_t total = 0;
    espb_set_output(captured, &total);
    espb_instance_t *inst2 = NULL;
    err = espb_load(bytes, len, NULL, &inst2);
    err = espb_call(inst2, "hello", NULL, 0, NULL);
    printf("captured hello: err %d, %zu bytes\n", err, total);
    espb_set_output(NULL, NULL);
    espb_unload(inst2);
    espb_value_t code = {ESPB_I32, {.i32 = 9}};
    err = espb_call(inst, "quit", &code, 1, &r);
    printf("quit: %s, code %d: %s\n", err == ESPB_ERR_EXIT ? "ESPB_ERR_EXIT" : "?", r.v.i32, espb_last_error());
    printf("unload: %d\n", espb_unload(inst));

    uint8_t junk[6] = {'E', 'S', 'P', 'B', 9, 0};
    err = espb_check(junk, sizeof junk);
    printf("check junk: %s\n", err == ESPB_ERR_INVALID_MODULE ? "ESPB_ERR_INVALID_MODULE" : "?");
    err = espb_load(junk, sizeof junk, NULL, &inst);
    printf("junk: %s, %s: %s\n", err == ESPB_ERR_INVALID_MODULE ? "ESPB_ERR_INVALID_MODULE" : "?",
           inst ? "instance?!" : "no instance", espb_last_error());

    err = espb_load(nvs, len2, NULL, &inst);
    printf("needs nvs: %s: %s\n", err == ESPB_ERR_LINK ? "ESPB_ERR_LINK" : "?", espb_last_error());

    const espb_native_t slots4[] = {
        {"unused", NULL, NULL},
        {"c_scale", (const void *)&c_scale, NULL},
        {"printf", NULL, NULL},
        {"later", NULL, NULL},
    };
    const espb_native_table_t newer = {"app", hash4, slots4, 4};
    err = espb_register_natives(&newer, 1);
    printf("register newer: %d\n", err);
    err = espb_load(bytes, len, NULL, &inst);
    printf("other table: %s: %s\n", err == ESPB_ERR_LINK ? "ESPB_ERR_LINK" : "?", espb_last_error());

    const espb_native_table_t lying = {"app", hash3, slots4, 4};
    err = espb_register_natives(&lying, 1);
    printf("wrong hash: %s: %s\n", err == ESP_ERR_INVALID_ARG ? "ESP_ERR_INVALID_ARG" : "?", espb_last_error());
    free(bytes);
    free(nvs);
    return 0;
}
