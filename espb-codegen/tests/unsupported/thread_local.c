_Thread_local int counter;
int f(void) {
    return ++counter;
}
