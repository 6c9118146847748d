#include <stdio.h>
static void set(int **pp, int *t) { *pp = t; } static void bump(int ***ppp) { (**ppp)[1] += 100; }
int main(void) { int arr[3] = {1, 2, 3}; int *p = 0; set(&p, arr); int **pp = &p; bump(&pp); char *words[] = {"alpha", "beta", "gamma"}; char **w = words; printf("%d %c %s %c\n", arr[1], **(w + 1), *(w + 2) + 2, w[0][4]); return 0; }
