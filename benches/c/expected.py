#!/usr/bin/env python3
"""Computes the expected results that the benchmark programs check, with an
implementation independent of the C code (zlib, hashlib, Python integers),
so that a self-check is not just the C program agreeing with itself.

Run: python3 benches/c/expected.py   (takes about a minute; pure Python)
"""
import hashlib
import math
import zlib

M32 = 0xFFFFFFFF


def crc32():
    buf = bytearray(65536)
    x = 12345
    for i in range(len(buf)):
        x = (x * 1103515245 + 12345) & M32
        buf[i] = (x >> 16) & 0xFF
    crc = 0
    for _ in range(160):
        crc = zlib.crc32(buf, crc)
    return crc


def sha256_chain():
    buf = bytearray(16384)
    x = 2463534242
    for i in range(len(buf)):
        x ^= (x << 13) & M32
        x ^= x >> 17
        x ^= (x << 5) & M32
        buf[i] = x & 0xFF
    d = b""
    for _ in range(256):
        d = hashlib.sha256(buf).digest()
        buf[0:32] = d
    return d


def matmul(n=128, reps=48):
    x = 7
    a = [0] * (n * n)
    b = [0] * (n * n)
    for i in range(n * n):
        x = (x * 1664525 + 1013904223) & M32
        a[i] = (((x >> 16) & 0xFF) - 128) & M32
        x = (x * 1664525 + 1013904223) & M32
        b[i] = (((x >> 16) & 0xFF) - 128) & M32
    # work on signed values and reduce at the end: products stay exact.
    bs = [[(v - (1 << 32) if v >> 31 else v) for v in b[k * n:(k + 1) * n]] for k in range(n)]
    chk = 0
    for rep in range(reps):
        c = []
        for i in range(n):
            row = [0] * n
            for k in range(n):
                aik = a[i * n + k]
                aik = aik - (1 << 32) if aik >> 31 else aik
                if aik:
                    br = bs[k]
                    row = [r + aik * v for r, v in zip(row, br)]
            c.extend(v & M32 for v in row)
        for v in c:
            chk = (chk * 31 + v) & M32
        if rep != reps - 1:
            a = [((((v >> 4) & 0xFF) - 128) & M32) for v in c]
    return chk


def sieve_sum(limit=500000):
    comp = bytearray(limit)
    s = 0
    cnt = 0
    for i in range(2, limit):
        if not comp[i]:
            cnt += 1
            s += i
            for j in range(i * i, limit, i):
                comp[j] = 1
    return cnt, s & M32


def sort_checksum(count=20000, reps=6):
    x = 42
    chk = 0
    for _ in range(reps):
        recs = []
        ints = []
        for i in range(count):
            x = (x * 1103515245 + 12345) & M32
            recs.append(((x >> 8) % 5000, i))
            x = (x * 1103515245 + 12345) & M32
            v = (x ^ (x >> 13)) & M32
            ints.append(v - (1 << 32) if v >> 31 else v)
        recs.sort()
        ints.sort(reverse=True)
        for _, rid in recs:
            chk = (chk * 31 + rid) & M32
        chk ^= ints[count // 2] & M32
    return chk


def nbody(steps=400000):
    pi = 3.141592653589793
    sm = 4 * pi * pi
    dpy = 365.24
    b = [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, sm],
        [4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
         1.66007664274403694e-03 * dpy, 7.69901118419740425e-03 * dpy,
         -6.90460016972063023e-05 * dpy, 9.54791938424326609e-04 * sm],
        [8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
         -2.76742510726862411e-03 * dpy, 4.99852801234917238e-03 * dpy,
         2.30417297573763929e-05 * dpy, 2.85885980666130812e-04 * sm],
        [1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
         2.96460137564761618e-03 * dpy, 2.37847173959480950e-03 * dpy,
         -2.96589568540237556e-05 * dpy, 4.36624404335156298e-05 * sm],
        [1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
         2.68067772490389322e-03 * dpy, 1.62824170038242295e-03 * dpy,
         -9.51592254519715870e-05 * dpy, 5.15138902046611451e-05 * sm],
    ]
    px = py = pz = 0.0
    for o in b:
        px += o[3] * o[6]
        py += o[4] * o[6]
        pz += o[5] * o[6]
    b[0][3] = -px / sm
    b[0][4] = -py / sm
    b[0][5] = -pz / sm

    def energy():
        e = 0.0
        for i in range(5):
            o = b[i]
            e += 0.5 * o[6] * (o[3] * o[3] + o[4] * o[4] + o[5] * o[5])
            for j in range(i + 1, 5):
                o2 = b[j]
                dx = o[0] - o2[0]
                dy = o[1] - o2[1]
                dz = o[2] - o2[2]
                e -= (o[6] * o2[6]) / math.sqrt(dx * dx + dy * dy + dz * dz)
        return e

    e0 = energy()
    dt = 0.01
    pairs = [(b[i], b[j]) for i in range(5) for j in range(i + 1, 5)]
    for _ in range(steps):
        for o, o2 in pairs:
            dx = o[0] - o2[0]
            dy = o[1] - o2[1]
            dz = o[2] - o2[2]
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * math.sqrt(d2))
            m2 = o2[6]
            o[3] -= dx * m2 * mag
            o[4] -= dy * m2 * mag
            o[5] -= dz * m2 * mag
            m1 = o[6]
            o2[3] += dx * m1 * mag
            o2[4] += dy * m1 * mag
            o2[5] += dz * m1 * mag
        for o in b:
            o[0] += dt * o[3]
            o[1] += dt * o[4]
            o[2] += dt * o[5]
    return e0, energy()


if __name__ == "__main__":
    print("crc32.c        EXPECTED       0x%08xu" % crc32())
    d = sha256_chain()
    print("sha256.c       CHAIN_DIGEST   {%s}" % ", ".join("0x%02x" % v for v in d))
    cnt, s = sieve_sum()
    print("sieve.c        count %d       EXPECTED_SUM 0x%08xu (%d)" % (cnt, s, s))
    print("sort.c         EXPECTED       0x%08xu" % sort_checksum())
    e0, e1 = nbody()
    print("nbody.c        EXPECTED_E0    %r  EXPECTED_E1 %r" % (e0, e1))
    print("matmul.c       EXPECTED       0x%08xu" % matmul())
