/* Force-included (-include) into every benchmark's native build: the
 * program's printf goes to a capture buffer the harness reads, so native runs
 * print nothing and their output line can be compared with the interpreters'. */
#ifndef ESPB_BENCH_NATIVE_SHIM_H
#define ESPB_BENCH_NATIVE_SHIM_H
int espb_bench_printf(const char *fmt, ...);
#define printf espb_bench_printf
#endif
