int f(int x) {
    static void *labels[] = {&&a, &&b};
    goto *labels[x & 1];
a:
    return 1;
b:
    return 2;
}
