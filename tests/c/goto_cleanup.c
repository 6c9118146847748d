#include <stdio.h>
#include <stdlib.h>
static int process(int n) { int rc = -1; int *a = malloc(n * sizeof *a); if (!a) goto out; int *b = malloc(n * sizeof *b); if (!b) goto free_a; for (int i = 0; i < n; i++) { a[i] = i; b[i] = n - i; } if (n > 50) goto free_b; rc = 0; for (int i = 0; i < n; i++) rc += a[i] * b[i]; free_b: free(b); free_a: free(a); out: return rc; }
int main(void) { printf("%d %d %d\n", process(10), process(40), process(60)); return 0; }
