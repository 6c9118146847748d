#include <stdio.h>
volatile int reg_a, reg_b; volatile unsigned char status;
int main(void) { for (int i = 0; i < 10; i++) { reg_a = i; reg_b += reg_a; status |= (unsigned char)(1 << (i % 8)); } printf("%d %d %u\n", reg_a, reg_b, status); return 0; }
