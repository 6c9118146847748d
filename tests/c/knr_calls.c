/* Calls that C leaves undefined but real ABIs run: a K&R definition called
   with more arguments than it declares, a function called through a cast
   to another type, and functions taking more than they are given. */
#include <stdio.h>

struct pt {
    int x, y;
} origin = {3, 4};

int noargs() { return 42; }

int first(a) int a;
{ return a * 2; }

double dbl() { return 1.5; }

void nothing(void) {}

int twice(int a) { return 2 * a; }

int main(void) {
    printf("%d\n", noargs(1, 2, 3));
    printf("%d\n", noargs(origin));
    printf("%d\n", first(21, 99));
    printf("%.1f\n", dbl(7));
    ((void (*)(int))nothing)(5);
    printf("%d\n", ((int (*)(int, int))twice)(8, 9));
    return 0;
}
