#include <stdio.h>
#include <string.h>
static char comp[20001];
int main(void) {
    memset(comp, 0, sizeof comp); int cnt = 0; long sum = 0;
    for (int i = 2; i <= 20000; i++) { if (comp[i]) continue; cnt++; sum += i; for (int j = i * 2; j <= 20000; j += i) comp[j] = 1; }
    printf("%d %ld\n", cnt, sum);
    return 0;
}
