#include <stdio.h>
static int duff(int n) { int count = 0; int k = (n + 7) / 8; switch (n % 8) { case 0: do { count++; case 7: count++; case 6: count++; case 5: count++; case 4: count++; case 3: count++; case 2: count++; case 1: count++; } while (--k > 0); } return count; }
static int classify(short s) { switch (s) { case -3: case -2: case -1: return -1; case 0: return 0; case 1000: return 2; case 32767: return 3; default: return s > 0; } }
int main(void) { for (int n = 1; n < 20; n += 3) printf("%d ", duff(n)); short v[] = {-3, -1, 0, 5, 1000, 32767, -200}; for (int i = 0; i < 7; i++) printf("%d ", classify(v[i])); printf("\n"); return 0; }
