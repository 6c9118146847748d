extern int provided_elsewhere;
int f(void) {
    return provided_elsewhere + 1;
}
