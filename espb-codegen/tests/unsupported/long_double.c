long double sqrtl(long double);
long double root(long double x) {
    return sqrtl(x);
}
