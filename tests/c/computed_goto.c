/* Computed goto: `&&label` values in code and in static tables (also as
   label differences), `goto *p`, a threaded interpreter loop. */
#include <stdio.h>

static int run(const unsigned char *code) {
    static void *ops[] = {&&op_push, &&op_add, &&op_mul, &&op_halt};
    int stack[16], sp = 0;
    const unsigned char *pc = code;
#define NEXT goto *ops[*pc++]
    NEXT;
op_push:
    stack[sp++] = *pc++;
    NEXT;
op_add:
    sp--;
    stack[sp - 1] += stack[sp];
    NEXT;
op_mul:
    sp--;
    stack[sp - 1] *= stack[sp];
    NEXT;
op_halt:
    return stack[sp - 1];
}

int counter;

__attribute__((noinline)) void relative(int x) {
    static const int offs[] = {&&l1 - &&l0, &&l2 - &&l0, &&l0 - &&l0};
    void *target = &&l0 + offs[x];
    goto *target;
l1:
    counter += 100;
l2:
    counter += 10;
l0:
    counter += 1;
}

__attribute__((noinline)) int pick(int i) {
    void *labels[3];
    labels[0] = &&a;
    labels[1] = &&b;
    labels[2] = &&c;
    void *volatile p = labels[i % 3];
    goto *p;
a:
    return 1;
b:
    return 20;
c:
    return 300;
}

int main(void) {
    /* (2 + 3) * 7 */
    const unsigned char prog[] = {0, 2, 0, 3, 1, 0, 7, 2, 3};
    printf("run %d\n", run(prog));
    relative(0);
    printf("%d\n", counter);
    relative(1);
    printf("%d\n", counter);
    relative(2);
    printf("%d\n", counter);
    int s = 0;
    for (int i = 0; i < 10; i++)
        s += pick(i);
    printf("pick %d\n", s);
    return 0;
}
