#include <stdio.h>
#define V(i) volatile int src##i = i * 7 + 1;
#define L(i) int x##i = src##i * (i + 1);
#define S(i) acc = acc * 31 + x##i;
#define R10(M, b) M(b##0) M(b##1) M(b##2) M(b##3) M(b##4) M(b##5) M(b##6) M(b##7) M(b##8) M(b##9)
#define R100(M, c) R10(M, c##0) R10(M, c##1) R10(M, c##2) R10(M, c##3) R10(M, c##4) R10(M, c##5) R10(M, c##6) R10(M, c##7) R10(M, c##8) R10(M, c##9)
R100(V, 1) R100(V, 2) R100(V, 3)
int main(void) {
    R100(L, 1) R100(L, 2) R100(L, 3)
    unsigned acc = 0;
    R100(S, 1) R100(S, 2) R100(S, 3)
    printf("%u\n", acc);
    return 0;
}
