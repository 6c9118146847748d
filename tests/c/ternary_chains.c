#include <stdio.h>
static const char *grade(int s) { return s >= 90 ? "A" : s >= 80 ? "B" : s >= 70 ? "C" : s >= 60 ? "D" : "F"; }
static int sign(long long x) { return (x > 0) - (x < 0); }
int main(void) { for (int s = 55; s <= 100; s += 9) printf("%s", grade(s)); printf(" %d %d %d\n", sign(-5000000000LL), sign(0), sign(7)); return 0; }
