#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static const char *words[] = {"apple", "banana", "cherry", "date", "elder", "fig", "grape", "kiwi", "lemon", "mango"};
static int cmp(const void *k, const void *e) { return strcmp((const char *)k, *(const char *const *)e); }
int main(void) { const char *q[] = {"fig", "apple", "mango", "zebra", "cherry", "aardvark"}; for (int i = 0; i < 6; i++) { const char **r = bsearch(q[i], words, 10, sizeof words[0], cmp); printf("%d ", r ? (int)(r - words) : -1); } printf("\n"); return 0; }
