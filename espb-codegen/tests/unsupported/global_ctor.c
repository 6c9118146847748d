int g;
__attribute__((constructor)) static void init(void) { g = 1; }
int f(void) { return g; }
