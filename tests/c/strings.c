#include <stdio.h>
#include <string.h>
#include <stdlib.h>
int main(void) {
    char buf[64]; strcpy(buf, "Hello"); strcat(buf, ", World"); printf("%s %d\n", buf, (int)strlen(buf));
    printf("%d %d %d\n", strcmp("abc", "abd") < 0, strncmp("abcdef", "abcxyz", 3), memcmp("ab", "ab", 2));
    printf("%s %s\n", strchr(buf, 'W'), strrchr(buf, 'o'));
    printf("%s\n", strstr(buf, "lo, "));
    char tmp[32]; memset(tmp, 'z', 5); tmp[5] = 0; printf("%s\n", tmp);
    memmove(buf + 2, buf, 5); buf[7] = 0; printf("%s\n", buf);
    snprintf(tmp, sizeof tmp, "%d-%s-%.2f", 12, "ab", 1.005); printf("%s\n", tmp);
    printf("%ld %lu %d\n", strtol("-12345xyz", 0, 10), strtoul("ff", 0, 16), atoi("77"));
    int up = 0; for (const char *p = "MiXeD CaSe"; *p; p++) up += *p >= 'A' && *p <= 'Z'; printf("%d\n", up);
    return 0;
}
