#include <stdio.h>
#include <string.h>
static void roman(int n, char *o) { static const int v[] = {1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}; static const char *s[] = {"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}; o[0] = 0; for (int i = 0; i < 13; i++) while (n >= v[i]) { strcat(o, s[i]); n -= v[i]; } }
int main(void) { char b[32]; int ns[] = {1, 4, 9, 14, 40, 90, 400, 1994, 2024, 3999}; for (int i = 0; i < 10; i++) { roman(ns[i], b); printf("%s ", b); } printf("\n"); return 0; }
