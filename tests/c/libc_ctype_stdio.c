/* newlib's <ctype.h> macros over `_ctype_`, the ctype functions called as
 * functions, `stdout` through `_impure_ptr` with fprintf/fputs/fputc/fwrite,
 * and the complex helpers clang calls for `_Complex` arithmetic. */
#include <complex.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int count(const char *s, int (*pred)(int)) {
    int n = 0;
    for (; *s; s++)
        n += pred((unsigned char)*s) != 0;
    return n;
}

__attribute__((noinline)) float complex fdiv(float complex a, float complex b) { return a / b; }
__attribute__((noinline)) double complex dmul(double complex a, double complex b) { return a * b; }
__attribute__((noinline)) double complex ddiv(double complex a, double complex b) { return a / b; }

int main(void) {
    const char *text = "Hello, World! 0x1F tab\there 42\n";
    int digits = 0, alpha = 0, space = 0, upper = 0, xd = 0, punct = 0, print = 0, cntrl = 0;
    for (const char *p = text; *p; p++) {
        digits += isdigit((unsigned char)*p) != 0;
        alpha += isalpha((unsigned char)*p) != 0;
        space += isspace((unsigned char)*p) != 0;
        upper += isupper((unsigned char)*p) != 0;
        xd += isxdigit((unsigned char)*p) != 0;
        punct += ispunct((unsigned char)*p) != 0;
        print += isprint((unsigned char)*p) != 0;
        cntrl += iscntrl((unsigned char)*p) != 0;
    }
    fprintf(stdout, "macros: %d %d %d %d %d %d %d %d\n", digits, alpha, space, upper, xd, punct,
            print, cntrl);
    printf("functions: %d %d %d %d %c%c\n", count(text, (isdigit)), count(text, (isalnum)),
           count(text, (isprint)), count(text, (isblank)), (toupper)('q'), (tolower)('Q'));
    fputs("fputs to stdout\n", stdout);
    fputc('!', stdout);
    fputc('\n', stdout);
    fwrite("fwrite\n", 1, strlen("fwrite\n"), stdout);
    fflush(stdout);
    printf("feof %d ferror %d\n", feof(stdout), ferror(stdout));
    float complex q = fdiv(4.0f + 2.0f * I, 1.0f - 1.0f * I);
    double complex m = dmul(1.5 + 2.0 * I, -3.0 + 0.5 * I);
    double complex r = ddiv(m, 2.0 - 4.0 * I);
    printf("%.4f %.4f | %.4f %.4f | %.6f %.6f\n", crealf(q), cimagf(q), creal(m), cimag(m),
           creal(r), cimag(r));
    return 0;
}
