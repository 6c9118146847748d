#include <stdio.h>
#include <string.h>
static const char *text = "the cat sat on the mat and the dog sat on the log while the bird sang";
int main(void) {
    char words[32][16]; int counts[32] = {0}; int nw = 0; const char *p = text;
    while (*p) { while (*p == ' ') p++; if (!*p) break; char w[16]; int k = 0; while (*p && *p != ' ' && k < 15) w[k++] = *p++; w[k] = 0;
        int f = -1; for (int i = 0; i < nw; i++) if (!strcmp(words[i], w)) { f = i; break; } if (f < 0) { strcpy(words[nw], w); f = nw++; } counts[f]++; }
    for (int i = 0; i < nw; i++) if (counts[i] > 1) printf("%s=%d ", words[i], counts[i]); printf("| %d\n", nw);
    return 0;
}
