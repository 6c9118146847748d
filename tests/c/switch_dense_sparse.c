#include <stdio.h>
static const char *dense(int x) { switch (x) { case 0: return "zero"; case 1: return "one"; case 2: return "two"; case 3: return "three"; case 4: return "four"; case 5: return "five"; case 6: return "six"; default: return "many"; } }
static int sparse(unsigned x) { switch (x) { case 1: return 10; case 100: return 20; case 1000: return 30; case 65536: return 40; case 0xdeadbeef: return 50; case 7777777: return 60; default: return -1; } }
static int sw64(long long x) { switch (x) { case 1LL << 40: return 1; case -5: return 2; case 3: return 3; default: return 0; } }
static int chr(char c) { switch (c) { case 'a': case 'e': case 'i': case 'o': case 'u': return 1; case ' ': return 2; default: return 0; } }
int main(void) {
    for (int i = -1; i < 9; i++) printf("%s ", dense(i)); printf("\n");
    unsigned keys[] = {0, 1, 100, 1000, 65536, 0xdeadbeef, 7777777, 5};
    for (int i = 0; i < 8; i++) printf("%d ", sparse(keys[i])); printf("\n");
    printf("%d %d %d %d\n", sw64(1LL << 40), sw64(-5), sw64(3), sw64(4));
    const char *s = "a quick brown fox"; int v = 0, sp = 0;
    for (; *s; s++) { int k = chr(*s); v += k == 1; sp += k == 2; } printf("%d %d\n", v, sp);
    return 0;
}
