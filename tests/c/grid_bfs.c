#include <stdio.h>
#define R 12
#define C 16
static const char *g[R] = {"................", ".######..######.", ".#............#.", ".#.##########.#.", ".#.#........#.#.", "...#.######.#...", ".#.#.#....#.#.#.", ".#.#.#.##.#.#.#.", ".#...#.##...#.#.", ".#####.########.", "................", "..............#."};
int main(void) { int dist[R][C], q[R * C][2], h = 0, t = 0; for (int i = 0; i < R; i++) for (int j = 0; j < C; j++) dist[i][j] = -1; dist[0][0] = 0; q[t][0] = 0; q[t++][1] = 0;
    while (h < t) { int r = q[h][0], c = q[h++][1]; static const int d[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}}; for (int k = 0; k < 4; k++) { int nr = r + d[k][0], nc = c + d[k][1]; if (nr < 0 || nc < 0 || nr >= R || nc >= C || g[nr][nc] == '#' || dist[nr][nc] >= 0) continue; dist[nr][nc] = dist[r][c] + 1; q[t][0] = nr; q[t++][1] = nc; } }
    printf("%d %d %d %d\n", dist[7][7], dist[R - 1][C - 1], dist[4][8], t); return 0; }
