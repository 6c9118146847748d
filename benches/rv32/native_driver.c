/* A benchmark built natively for the chip's ISA: the qemu runner's C start-up
 * (qemu-runner/c/glue.c) calls espb_runner_main, which runs the program's
 * main (compiled with -Dmain=bench_main). */
int bench_main(void);

int espb_runner_main(int argc, char **argv) {
    (void)argc, (void)argv;
    return bench_main();
}
