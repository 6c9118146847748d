/* __builtin_return_address(0) and __builtin_frame_address(0): a return
   address is never 0; the frame address of a callee lies below its
   caller's locals (the stack grows down). */
#include <stdio.h>

__attribute__((noinline)) void *ra0(void) { return __builtin_return_address(0); }

static void *(*volatile get)(void) = ra0;

__attribute__((noinline)) int inner_frame(char *outer) {
    char here;
    char *fa = __builtin_frame_address(0);
    return outer > fa && outer > &here;
}

__attribute__((noinline)) int outer_frame(void) {
    char mine;
    return inner_frame(&mine);
}

int main(void) {
    void *a[3];
    for (int i = 0; i < 3; i++)
        a[i] = get();
    printf("nonzero %d\n", a[0] != 0 && a[1] != 0 && a[2] != 0);
    printf("frames %d\n", outer_frame());
    return 0;
}
