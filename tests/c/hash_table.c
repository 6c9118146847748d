#include <stdio.h>
#include <string.h>
#include <stdint.h>
#define CAP 64
static char keys[CAP][16]; static int vals[CAP]; static int used[CAP];
static uint32_t hash(const char *s) { uint32_t h = 2166136261u; while (*s) { h ^= (uint8_t)*s++; h *= 16777619u; } return h; }
static void put(const char *k, int v) { uint32_t i = hash(k) % CAP; while (used[i] && strcmp(keys[i], k)) i = (i + 1) % CAP; used[i] = 1; strcpy(keys[i], k); vals[i] = v; }
static int get(const char *k, int *v) { uint32_t i = hash(k) % CAP; while (used[i]) { if (!strcmp(keys[i], k)) { *v = vals[i]; return 1; } i = (i + 1) % CAP; } return 0; }
int main(void) { char k[16]; for (int i = 0; i < 40; i++) { snprintf(k, sizeof k, "key%d", i * 7); put(k, i); } int hits = 0, sum = 0, v; for (int i = 0; i < 300; i++) { snprintf(k, sizeof k, "key%d", i); if (get(k, &v)) { hits++; sum += v; } } printf("%d %d\n", hits, sum); return 0; }
