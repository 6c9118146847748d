/* Unprototyped (K&R) declarations and definitions: `extern int puts();`
 * reaches the C library with the call sites' argument types, and K&R
 * definitions get promoted arguments (float -> double, char -> int). */
extern int puts();
extern int printf();
extern unsigned long strlen();
int add();
int twice(void);
double scale();

int main() {
    puts("unprototyped puts");
    printf("%d %.3f %lu\n", add(40, 2), scale(1.5f, 'a'), strlen("four"));
    printf("%d\n", twice());
    return add(-2, 2);
}

int add(a, b)
int a, b;
{
    return a + b;
}

double scale(x, c)
float x;
char c;
{
    return x * c;
}

/* Called with two different argument lists through one K&R declaration. */
extern int sprintf();
int twice(void) {
    char a[32], b[32];
    int n = sprintf(a, "%d", 7) + sprintf(b, "%s-%s", "x", "y");
    return n + puts(a) * 0 + puts(b) * 0;
}
