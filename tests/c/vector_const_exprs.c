/* GCC vector extensions whose constants fold to lane extractions and
   bitcasts of constant vectors. */
#include <stdio.h>

typedef unsigned char V8 __attribute__((vector_size(8)));
typedef unsigned long long V64 __attribute__((vector_size(8)));
typedef int V1 __attribute__((vector_size(4)));

int foo(void) { return 1; }

__attribute__((noinline)) V1 fnvec(void) {
    V1 v = {(int)foo};
    return v;
}

__attribute__((noinline)) unsigned lane(void) {
    V8 b = (V8)(V64){0x1122334455667788ULL};
    return b[1] + b[7];
}

int main(void) {
    V1 v = fnvec();
    printf("%d %u\n", v[0] == (int)foo, lane());
    return 0;
}
