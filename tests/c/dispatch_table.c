#include <stdio.h>
#include <string.h>
struct Cmd { const char *name; int (*fn)(int, int); };
static int c_add(int a, int b) { return a + b; } static int c_mul(int a, int b) { return a * b; } static int c_max(int a, int b) { return a > b ? a : b; } static int c_pow(int a, int b) { int r = 1; while (b--) r *= a; return r; }
static const struct Cmd cmds[] = {{"add", c_add}, {"mul", c_mul}, {"max", c_max}, {"pow", c_pow}};
static int run(const char *n, int a, int b) { for (unsigned i = 0; i < sizeof cmds / sizeof cmds[0]; i++) if (!strcmp(cmds[i].name, n)) return cmds[i].fn(a, b); return -1; }
int main(void) { printf("%d %d %d %d %d\n", run("add", 3, 4), run("mul", 6, 7), run("max", -1, -5), run("pow", 3, 7), run("nop", 1, 1)); return 0; }
