typedef int v4 __attribute__((vector_size(16)));
int dot(v4 *a, v4 *b) {
    v4 p = *a * *b;
    return p[0] + p[1] + p[2] + p[3];
}
