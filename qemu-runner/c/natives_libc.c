/* The C library functions a module calls natively in the runner: picolibc's
 * own strto*, qsort and libm, called through the device FFI (everything else
 * a module imports from libc is the runtime's builtin). The printf family
 * stays the runtime's: picolibc's tinystdio prints at most 17 significant
 * digits (`%f` of 2^63 ends in zeros), where ESP-IDF's newlib and the host
 * print the exact value. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "espb_native.h"

ESPB_NATIVE(strtod);
ESPB_NATIVE(strtof);
ESPB_NATIVE(strtol);
ESPB_NATIVE(strtoul);
ESPB_NATIVE(strtoll);
ESPB_NATIVE(strtoull);
ESPB_NATIVE(atoi);
ESPB_NATIVE(atol);
ESPB_NATIVE(atof);
ESPB_NATIVE(qsort);

ESPB_NATIVE(sin);
ESPB_NATIVE(cos);
ESPB_NATIVE(tan);
ESPB_NATIVE(asin);
ESPB_NATIVE(acos);
ESPB_NATIVE(atan);
ESPB_NATIVE(atan2);
ESPB_NATIVE(sinh);
ESPB_NATIVE(cosh);
ESPB_NATIVE(tanh);
ESPB_NATIVE(exp);
ESPB_NATIVE(exp2);
ESPB_NATIVE(expm1);
ESPB_NATIVE(log);
ESPB_NATIVE(log2);
ESPB_NATIVE(log10);
ESPB_NATIVE(log1p);
ESPB_NATIVE(pow);
ESPB_NATIVE(cbrt);
ESPB_NATIVE(hypot);
ESPB_NATIVE(fmod);
ESPB_NATIVE(remainder);
ESPB_NATIVE(ldexp);
ESPB_NATIVE(frexp);
ESPB_NATIVE(modf);
ESPB_NATIVE(sinf);
ESPB_NATIVE(cosf);
ESPB_NATIVE(tanf);
ESPB_NATIVE(atan2f);
ESPB_NATIVE(expf);
ESPB_NATIVE(logf);
ESPB_NATIVE(powf);
ESPB_NATIVE(fmodf);
