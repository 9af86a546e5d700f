/* synth_rng: the synthetic registry's random numbers (synth.h):
 * xoshiro256** seeded through splitmix64, uniform and normal draws. */
#include <math.h>

#include "synth/synth.h"

uint64_t synth_rng_mix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void synth_rng_seed(synth_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = synth_rng_mix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t synth_rng_next(synth_rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double synth_rng_uniform(synth_rng *r)
{
    return (double)(synth_rng_next(r) >> 11) * 0x1.0p-53;
}

double synth_rng_normal(synth_rng *r)
{
    double u = 1.0 - synth_rng_uniform(r), v = synth_rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}
