/* Deterministic PRNG: xoshiro256** seeded through splitmix64.  Not for real keys —
 * the generator's keys only need to be reproducible from --seed. */
#include "samples/gen.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rng_seed(rng_t *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_u64(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

uint32_t rng_u32(rng_t *r) { return (uint32_t)(rng_u64(r) >> 32); }

double rng_unit(rng_t *r) { return (double)(rng_u64(r) >> 11) * (1.0 / 9007199254740992.0); }

uint64_t rng_range(rng_t *r, uint64_t lo, uint64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + rng_u64(r) % (hi - lo + 1);
}

/* Little-endian byte order explicitly, so output is the same on every host. */
void rng_bytes(rng_t *r, uint8_t *out, size_t n)
{
    while (n) {
        uint64_t v = rng_u64(r);
        for (int i = 0; i < 8 && n; i++, n--)
            *out++ = (uint8_t)(v >> (8 * i));
    }
}
