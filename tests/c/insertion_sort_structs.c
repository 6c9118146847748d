#include <stdio.h>
#include <string.h>
struct Emp { char name[10]; int age; double pay; };
int main(void) {
    struct Emp e[6] = {{"ann", 31, 5000.5}, {"bob", 25, 4200}, {"cyd", 45, 7300.25}, {"dee", 25, 3900}, {"eve", 38, 6100}, {"fay", 31, 5000.5}};
    for (int i = 1; i < 6; i++) { struct Emp k = e[i]; int j = i - 1; while (j >= 0 && (e[j].age > k.age || (e[j].age == k.age && strcmp(e[j].name, k.name) > 0))) { e[j + 1] = e[j]; j--; } e[j + 1] = k; }
    double total = 0; for (int i = 0; i < 6; i++) { printf("%s:%d ", e[i].name, e[i].age); total += e[i].pay; } printf("%.2f\n", total); return 0;
}
