int f(int x) {
    int y;
    __asm__ volatile("addi %0, %1, 1" : "=r"(y) : "r"(x));
    return y;
}
