#include <stdio.h>
#include <stdlib.h>
static double eval(const char *s) { double st[32]; int sp = 0; while (*s) { if (*s == ' ') { s++; continue; } if ((*s >= '0' && *s <= '9') || *s == '.') { char *e; st[sp++] = strtod(s, &e); s = e; continue; } double b = st[--sp], a = st[--sp]; switch (*s++) { case '+': st[sp++] = a + b; break; case '-': st[sp++] = a - b; break; case '*': st[sp++] = a * b; break; case '/': st[sp++] = a / b; break; } } return st[0]; }
int main(void) { printf("%.4f %.4f\n", eval("3 4 + 2 *"), eval("1.5 2.25 * 10 4 - /")); return 0; }
