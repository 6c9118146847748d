unsigned _BitInt(128) mul(unsigned _BitInt(128) a, unsigned _BitInt(128) b) {
    return a * b;
}
