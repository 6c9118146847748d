#include <stdio.h>
#include <string.h>
struct Vec3 { float x, y, z; };
struct Body { char name[12]; struct Vec3 pos, vel; double mass; int tags[3]; };
static struct Vec3 vadd(struct Vec3 a, struct Vec3 b) { return (struct Vec3){a.x + b.x, a.y + b.y, a.z + b.z}; }
static void step(struct Body *b, int n, float dt) { for (int i = 0; i < n; i++) { struct Vec3 d = {b[i].vel.x * dt, b[i].vel.y * dt, b[i].vel.z * dt}; b[i].pos = vadd(b[i].pos, d); } }
int main(void) {
    struct Body bs[3]; memset(bs, 0, sizeof bs);
    for (int i = 0; i < 3; i++) { snprintf(bs[i].name, sizeof bs[i].name, "body%d", i); bs[i].vel = (struct Vec3){i + 1.0f, -0.5f * i, 0.25f}; bs[i].mass = 10.0 * (i + 1); bs[i].tags[i] = i * 11; }
    for (int t = 0; t < 100; t++) step(bs, 3, 0.01f);
    struct Body copy = bs[2]; bs[2].mass = 0;
    for (int i = 0; i < 3; i++) printf("%s %.3f %.3f %.3f %.1f %d\n", bs[i].name, bs[i].pos.x, bs[i].pos.y, bs[i].pos.z, bs[i].mass, bs[i].tags[i]);
    printf("%s %.1f\n", copy.name, copy.mass);
    return 0;
}
