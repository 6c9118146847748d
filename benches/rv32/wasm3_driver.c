/* wasm3 built for the chip's ISA with the host harness's WASI glue: reads the
 * wasm32-wasi module named by its argument, compiles it, runs _start, prints
 * what the program wrote. */
#include "wasm3_glue.c"

unsigned char *espb_read_file(const char *path, size_t *len);
void espb_report_linear(size_t n);

int espb_runner_main(int argc, char **argv) {
    size_t len = 0;
    unsigned char *module = argc > 0 ? espb_read_file(argv[0], &len) : NULL;
    if (!module) {
        fprintf(stderr, "wasm3: cannot read the module\n");
        return 2;
    }
    char err[256];
    w3_instance *w = w3_new(module, (uint32_t)len, 64 * 1024, err, sizeof err);
    if (!w) {
        fprintf(stderr, "wasm3: %s\n", err);
        return 2;
    }
    int32_t code = 0;
    int r = w3_start(w, &code, err, sizeof err);
    espb_report_linear(m3_GetMemorySize(w->rt));
    fwrite(w->out, 1, w->out_len, stdout);
    if (r == 2) {
        fprintf(stderr, "wasm3: %s\n", err);
        code = 101;
    }
    w3_free(w);
    return code;
}
