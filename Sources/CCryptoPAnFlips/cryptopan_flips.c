#include "cryptopan_flips.h"

#if defined(__x86_64__)
#include <wmmintrin.h>
#include <emmintrin.h>

int secstream_cryptopan_aesni_available(void) {
    return __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse2") ? 1 : 0;
}

__attribute__((target("aes,sse2")))
static __m128i expand_step(__m128i key, __m128i assist) {
    assist = _mm_shuffle_epi32(assist, 0xff);
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    return _mm_xor_si128(key, assist);
}

__attribute__((target("aes,sse2")))
void secstream_cryptopan_expand_key(const uint8_t key[16], uint8_t schedule[176]) {
    __m128i k[11];
    k[0] = _mm_loadu_si128((const __m128i *)(const void *)key);
    /* The round constant must be an immediate: one line per round. */
    k[1] = expand_step(k[0], _mm_aeskeygenassist_si128(k[0], 0x01));
    k[2] = expand_step(k[1], _mm_aeskeygenassist_si128(k[1], 0x02));
    k[3] = expand_step(k[2], _mm_aeskeygenassist_si128(k[2], 0x04));
    k[4] = expand_step(k[3], _mm_aeskeygenassist_si128(k[3], 0x08));
    k[5] = expand_step(k[4], _mm_aeskeygenassist_si128(k[4], 0x10));
    k[6] = expand_step(k[5], _mm_aeskeygenassist_si128(k[5], 0x20));
    k[7] = expand_step(k[6], _mm_aeskeygenassist_si128(k[6], 0x40));
    k[8] = expand_step(k[7], _mm_aeskeygenassist_si128(k[7], 0x80));
    k[9] = expand_step(k[8], _mm_aeskeygenassist_si128(k[8], 0x1b));
    k[10] = expand_step(k[9], _mm_aeskeygenassist_si128(k[9], 0x36));
    for (int r = 0; r < 11; r++) _mm_storeu_si128((__m128i *)(void *)(schedule + 16 * r), k[r]);
}

/* The block of position `pos`: the first `pos` bits of `high`, the pad's
   after them, big-endian as the reference writes it (a byte swap of each
   half into the register's lanes). */
__attribute__((target("aes,sse2")))
static inline __m128i block_at(int pos, uint64_t high, uint64_t pad_high, uint64_t low_be) {
    uint64_t keep = pos == 0 ? 0 : ~(uint64_t)0 << (64 - pos);
    return _mm_set_epi64x((long long)low_be, (long long)__builtin_bswap64((high & keep) | (pad_high & ~keep)));
}

__attribute__((target("aes,sse2")))
uint64_t secstream_cryptopan_flips(const uint8_t schedule[176], uint64_t high, uint64_t pad_high, uint64_t pad_low,
                                   int from, int to) {
    __m128i k[11];
    for (int r = 0; r < 11; r++) k[r] = _mm_loadu_si128((const __m128i *)(const void *)(schedule + 16 * r));
    const uint64_t low_be = __builtin_bswap64(pad_low);
    uint64_t out = 0;
    int pos = from;
    /* Four blocks through the rounds together (the rounds' latency overlaps). */
    for (; pos + 4 <= to; pos += 4) {
        __m128i b0 = _mm_xor_si128(block_at(pos, high, pad_high, low_be), k[0]);
        __m128i b1 = _mm_xor_si128(block_at(pos + 1, high, pad_high, low_be), k[0]);
        __m128i b2 = _mm_xor_si128(block_at(pos + 2, high, pad_high, low_be), k[0]);
        __m128i b3 = _mm_xor_si128(block_at(pos + 3, high, pad_high, low_be), k[0]);
        for (int r = 1; r < 10; r++) {
            b0 = _mm_aesenc_si128(b0, k[r]);
            b1 = _mm_aesenc_si128(b1, k[r]);
            b2 = _mm_aesenc_si128(b2, k[r]);
            b3 = _mm_aesenc_si128(b3, k[r]);
        }
        b0 = _mm_aesenclast_si128(b0, k[10]);
        b1 = _mm_aesenclast_si128(b1, k[10]);
        b2 = _mm_aesenclast_si128(b2, k[10]);
        b3 = _mm_aesenclast_si128(b3, k[10]);
        /* The first bit of each: the top bit of byte 0 is bit 0 of the byte mask. */
        out = out << 4 | (uint64_t)(_mm_movemask_epi8(b0) & 1) << 3 | (uint64_t)(_mm_movemask_epi8(b1) & 1) << 2
            | (uint64_t)(_mm_movemask_epi8(b2) & 1) << 1 | (uint64_t)(_mm_movemask_epi8(b3) & 1);
    }
    for (; pos < to; pos++) {
        __m128i b = _mm_xor_si128(block_at(pos, high, pad_high, low_be), k[0]);
        for (int r = 1; r < 10; r++) b = _mm_aesenc_si128(b, k[r]);
        b = _mm_aesenclast_si128(b, k[10]);
        out = out << 1 | (uint64_t)(_mm_movemask_epi8(b) & 1);
    }
    return out;
}

#else

int secstream_cryptopan_aesni_available(void) { return 0; }
void secstream_cryptopan_expand_key(const uint8_t key[16], uint8_t schedule[176]) { (void)key; (void)schedule; }
uint64_t secstream_cryptopan_flips(const uint8_t schedule[176], uint64_t high, uint64_t pad_high, uint64_t pad_low,
                                   int from, int to) {
    (void)schedule; (void)high; (void)pad_high; (void)pad_low; (void)from; (void)to;
    return 0;
}

#endif
