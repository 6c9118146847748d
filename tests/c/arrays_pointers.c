#include <stdio.h>
int grid[5][7];
int *find(int *a, int n, int v) { for (int i = 0; i < n; i++) if (a[i] == v) return &a[i]; return 0; }
int main(void) {
    for (int i = 0; i < 5; i++) for (int j = 0; j < 7; j++) grid[i][j] = i * 10 + j;
    int t = 0; for (int i = 0; i < 5; i++) t += grid[i][(i * 3) % 7]; printf("%d\n", t);
    int a[10]; for (int i = 0; i < 10; i++) a[i] = 100 - i * i;
    int *p = find(a, 10, 64); printf("%d %d\n", p ? (int)(p - a) : -1, find(a, 10, 5) == 0);
    char s[] = "pointer"; char *q = s; while (*q) q++; printf("%d\n", (int)(q - s));
    int *pp = &grid[2][3]; pp += 8; printf("%d\n", *pp);
    unsigned long addr = (unsigned long)&grid[1][0] - (unsigned long)&grid[0][0]; printf("%lu\n", addr);
    return 0;
}
