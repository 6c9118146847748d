#include <stdio.h>
#include <stdint.h>
struct Rec { int a; char tag[6]; short b; };
struct Rec recs[4] = {{1, "one", 10}, {2, "two", 20}, {3, "three", 30}, {4, "four", 40}};
short *pb = &recs[2].b;
char *ptag = recs[3].tag + 1;
struct Rec *last = &recs[3];
intptr_t addr_last = (intptr_t)&recs[3];
int *ends[] = {&recs[0].a, &recs[3].a + 1};
int main(void) { printf("%d %s %d %d %d\n", *pb, ptag, last->a, (int)(addr_last - (intptr_t)&recs[0]), (int)(ends[1] - ends[0])); return 0; }
