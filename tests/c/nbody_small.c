#include <stdio.h>
#include <math.h>
struct B { double x, y, z, vx, vy, vz, m; };
int main(void) { struct B b[4] = {{0, 0, 0, 0, 0, 0, 40}, {4, 0, 0, 0, 3, 0, 0.04}, {0, 8, 0, -2.2, 0, 0.1, 0.02}, {-12, 0, 1, 0, -1.8, 0, 0.001}};
    for (int s = 0; s < 500; s++) { for (int i = 0; i < 4; i++) for (int j = i + 1; j < 4; j++) { double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z, d2 = dx * dx + dy * dy + dz * dz, mag = 0.001 / (d2 * sqrt(d2)); b[i].vx -= dx * b[j].m * mag; b[i].vy -= dy * b[j].m * mag; b[i].vz -= dz * b[j].m * mag; b[j].vx += dx * b[i].m * mag; b[j].vy += dy * b[i].m * mag; b[j].vz += dz * b[i].m * mag; } for (int i = 0; i < 4; i++) { b[i].x += 0.001 * b[i].vx; b[i].y += 0.001 * b[i].vy; b[i].z += 0.001 * b[i].vz; } }
    for (int i = 0; i < 4; i++) printf("%.9f %.9f %.9f\n", b[i].x, b[i].y, b[i].z); return 0; }
