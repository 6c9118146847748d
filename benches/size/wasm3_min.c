/* Loads a .wasm module with wasm3 and calls an export (no WASI linked). */
#include "common.h"
#include "wasm3.h"

int main(int argc, char **argv)
{
    size_t len;
    uint8_t *bytes = argc > 1 ? read_file(argv[1], &len) : NULL;
    if (!bytes)
        return 2;
    IM3Environment env = m3_NewEnvironment();
    IM3Runtime rt = m3_NewRuntime(env, 64 * 1024, NULL);
    IM3Module mod;
    M3Result r = m3_ParseModule(env, &mod, bytes, (uint32_t)len);
    if (!r)
        r = m3_LoadModule(rt, mod);
    IM3Function f;
    if (!r)
        r = m3_FindFunction(&f, rt, argc > 2 ? argv[2] : "main");
    if (!r)
        r = m3_CallV(f);
    printf("%s\n", r ? r : "ok");
    m3_FreeRuntime(rt);
    m3_FreeEnvironment(env);
    free(bytes);
    return r ? 1 : 0;
}
