#include <stdio.h>
#include <string.h>
int main(void) { char w[8][12] = {"zeta", "alpha", "mu", "beta", "omega", "delta", "pi", "alpha2"}; for (int i = 0; i < 8; i++) for (int j = 0; j + 1 < 8 - i; j++) if (strcmp(w[j], w[j + 1]) > 0) { char t[12]; strcpy(t, w[j]); strcpy(w[j], w[j + 1]); strcpy(w[j + 1], t); } for (int i = 0; i < 8; i++) printf("%s ", w[i]); printf("%d\n", strncmp(w[0], w[1], 5)); return 0; }
