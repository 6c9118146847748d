/* The harness's interface to wasm3 (vendored, vendor/wasm3): create an
 * instance of a wasm32-wasi command module with the few WASI functions the
 * benchmarks import (output captured in a buffer), compile all of it up
 * front, and call `_start`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm3.h"

typedef struct {
    IM3Environment env;
    IM3Runtime rt;
    IM3Function start;
    uint8_t *wasm; /* wasm3 keeps pointers into the module bytes */
    char out[4096];
    uint32_t out_len;
    int32_t exit_code;
} w3_instance;

#define WASI_EBADF 8

m3ApiRawFunction(w3_fd_write)
{
    m3ApiReturnType(uint32_t);
    m3ApiGetArg(uint32_t, fd);
    m3ApiGetArg(uint32_t, iovs);
    m3ApiGetArg(uint32_t, iovs_len);
    m3ApiGetArg(uint32_t, nwritten_ptr);
    w3_instance *w = (w3_instance *)m3_GetUserData(runtime);
    uint32_t mem_size = m3_GetMemorySize(runtime);
    uint8_t *mem = (uint8_t *)_mem;
    if (fd != 1 && fd != 2)
        m3ApiReturn(WASI_EBADF);
    if ((uint64_t)iovs + 8ull * iovs_len > mem_size || (uint64_t)nwritten_ptr + 4 > mem_size)
        m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    uint32_t total = 0;
    for (uint32_t i = 0; i < iovs_len; i++) {
        uint32_t base, len;
        memcpy(&base, mem + iovs + 8 * i, 4);
        memcpy(&len, mem + iovs + 8 * i + 4, 4);
        if ((uint64_t)base + len > mem_size)
            m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
        uint32_t room = (uint32_t)sizeof w->out - w->out_len;
        uint32_t take = len < room ? len : room;
        memcpy(w->out + w->out_len, mem + base, take);
        w->out_len += take;
        total += len;
    }
    memcpy(mem + nwritten_ptr, &total, 4);
    m3ApiReturn(0);
}

m3ApiRawFunction(w3_fd_close)
{
    m3ApiReturnType(uint32_t);
    m3ApiGetArg(uint32_t, fd);
    (void)fd;
    m3ApiReturn(0);
}

m3ApiRawFunction(w3_fd_seek)
{
    m3ApiReturnType(uint32_t);
    m3ApiGetArg(uint32_t, fd);
    (void)fd;
    m3ApiReturn(WASI_EBADF);
}

m3ApiRawFunction(w3_fd_fdstat_get)
{
    m3ApiReturnType(uint32_t);
    m3ApiGetArg(uint32_t, fd);
    m3ApiGetArg(uint32_t, stat_ptr);
    uint32_t mem_size = m3_GetMemorySize(runtime);
    if (fd > 2)
        m3ApiReturn(WASI_EBADF);
    if ((uint64_t)stat_ptr + 24 > mem_size)
        m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
    uint8_t *st = (uint8_t *)_mem + stat_ptr;
    memset(st, 0, 24);
    st[0] = 2; /* filetype: character device */
    m3ApiReturn(0);
}

m3ApiRawFunction(w3_proc_exit)
{
    m3ApiGetArg(uint32_t, code);
    w3_instance *w = (w3_instance *)m3_GetUserData(runtime);
    w->exit_code = (int32_t)code;
    m3ApiTrap(m3Err_trapExit);
}

static void w3_err(char *err, size_t cap, const char *what, M3Result r, IM3Runtime rt)
{
    M3ErrorInfo info;
    memset(&info, 0, sizeof info);
    if (rt)
        m3_GetErrorInfo(rt, &info);
    snprintf(err, cap, "%s: %s%s%s", what, r, info.message ? ": " : "",
             info.message ? info.message : "");
}

void w3_free(w3_instance *w)
{
    if (!w)
        return;
    if (w->rt)
        m3_FreeRuntime(w->rt);
    if (w->env)
        m3_FreeEnvironment(w->env);
    free(w->wasm);
    free(w);
}

w3_instance *w3_new(const uint8_t *wasm, uint32_t len, uint32_t stack_bytes, char *err, size_t cap)
{
    w3_instance *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    w->wasm = malloc(len);
    w->env = m3_NewEnvironment();
    if (!w->wasm || !w->env) {
        snprintf(err, cap, "out of memory");
        w3_free(w);
        return NULL;
    }
    memcpy(w->wasm, wasm, len);
    w->rt = m3_NewRuntime(w->env, stack_bytes, w);
    if (!w->rt) {
        snprintf(err, cap, "m3_NewRuntime failed");
        w3_free(w);
        return NULL;
    }
    IM3Module module = NULL;
    M3Result r = m3_ParseModule(w->env, &module, w->wasm, len);
    if (r) {
        w3_err(err, cap, "parse", r, NULL);
        w3_free(w);
        return NULL;
    }
    r = m3_LoadModule(w->rt, module);
    if (r) {
        w3_err(err, cap, "load", r, w->rt);
        m3_FreeModule(module);
        w3_free(w);
        return NULL;
    }
    static const struct {
        const char *name, *sig;
        M3RawCall f;
    } wasi[] = {
        {"fd_write", "i(iiii)", w3_fd_write},
        {"fd_close", "i(i)", w3_fd_close},
        {"fd_seek", "i(iIii)", w3_fd_seek},
        {"fd_fdstat_get", "i(ii)", w3_fd_fdstat_get},
        {"proc_exit", "v(i)", w3_proc_exit},
    };
    for (size_t i = 0; i < sizeof wasi / sizeof wasi[0]; i++) {
        r = m3_LinkRawFunction(module, "wasi_snapshot_preview1", wasi[i].name, wasi[i].sig,
                               wasi[i].f);
        if (r && r != m3Err_functionLookupFailed) {
            w3_err(err, cap, wasi[i].name, r, w->rt);
            w3_free(w);
            return NULL;
        }
    }
    r = m3_CompileModule(module);
    if (r) {
        w3_err(err, cap, "compile", r, w->rt);
        w3_free(w);
        return NULL;
    }
    r = m3_FindFunction(&w->start, w->rt, "_start");
    if (r) {
        w3_err(err, cap, "_start", r, w->rt);
        w3_free(w);
        return NULL;
    }
    return w;
}

/* 0: returned normally; 1: proc_exit (code in *exit_code); 2: trap (err). */
int w3_start(w3_instance *w, int32_t *exit_code, char *err, size_t cap)
{
    M3Result r = m3_CallV(w->start);
    if (!r) {
        *exit_code = 0;
        return 0;
    }
    if (r == m3Err_trapExit) {
        *exit_code = w->exit_code;
        return 1;
    }
    w3_err(err, cap, "trap", r, w->rt);
    return 2;
}

const char *w3_output(w3_instance *w, uint32_t *len)
{
    *len = w->out_len;
    return w->out;
}

uint32_t w3_memory_size(w3_instance *w) { return m3_GetMemorySize(w->rt); }
