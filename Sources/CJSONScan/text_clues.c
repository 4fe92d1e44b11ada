#include "text_clues.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The bytes a chunk of up to 64 holds, one bit each. */
typedef struct {
    uint64_t digit, separator, at, dot, colon, upper_a, b, special;
} chunk_masks;

#if defined(__SSE2__)
/* One 16-byte block's masks, shifted right by `drop` (bytes already seen,
   from an overlapping load), at bit `shift` of the chunk's words. */
static inline void add_block(__m128i v, int drop, int shift, chunk_masks *m) {
    const __m128i below0 = _mm_set1_epi8('0' - 1), above9 = _mm_set1_epi8('9' + 1);
    const __m128i space = _mm_set1_epi8(' '), dash = _mm_set1_epi8('-'), at = _mm_set1_epi8('@');
    const __m128i dot = _mm_set1_epi8('.'), colon = _mm_set1_epi8(':'), a = _mm_set1_epi8('A');
    const __m128i lower = _mm_set1_epi8(0x20), b = _mm_set1_epi8('b');
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
#define SECSTREAM_BITS(x) ((uint64_t)((uint32_t)(uint16_t)_mm_movemask_epi8(x) >> drop) << shift)
    /* Signed compares: bytes 0x80..0xff are negative, never digits; `< 0x20`
       takes control and non-ASCII bytes at once. */
    m->digit |= SECSTREAM_BITS(_mm_and_si128(_mm_cmpgt_epi8(v, below0), _mm_cmplt_epi8(v, above9)));
    m->separator |= SECSTREAM_BITS(_mm_or_si128(_mm_cmpeq_epi8(v, space), _mm_cmpeq_epi8(v, dash)));
    m->at |= SECSTREAM_BITS(_mm_cmpeq_epi8(v, at));
    m->dot |= SECSTREAM_BITS(_mm_cmpeq_epi8(v, dot));
    m->colon |= SECSTREAM_BITS(_mm_cmpeq_epi8(v, colon));
    m->upper_a |= SECSTREAM_BITS(_mm_cmpeq_epi8(v, a));
    m->b |= SECSTREAM_BITS(_mm_cmpeq_epi8(_mm_or_si128(v, lower), b));
    m->special |= SECSTREAM_BITS(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                              _mm_cmplt_epi8(v, lower)));
#undef SECSTREAM_BITS
}
#endif

/* The masks of bytes `k ..< count` of the chunk of `count` (1...64) bytes
   at `text + base`, of `n` in all, added to `m`; nothing outside the text
   is read: a last block short of 16 bytes is loaded overlapping the block
   before (its seen bytes shifted out), or, in a text shorter than 16, copied. */
static inline void add_masks(const uint8_t *text, size_t n, size_t base, size_t k, size_t count, chunk_masks *m) {
#if defined(__SSE2__)
    for (; k + 16 <= count; k += 16)
        add_block(_mm_loadu_si128((const __m128i *)(const void *)(text + base + k)), 0, (int)k, m);
    if (k < count) {
        size_t rest = count - k;
        if (n >= 16) {
            add_block(_mm_loadu_si128((const __m128i *)(const void *)(text + n - 16)), (int)(16 - rest), (int)k, m);
        } else {
            uint8_t block[16] = {0};
            memcpy(block, text + base + k, rest);
            /* Zero padding is no class's but a control byte's: `special` is cut below. */
            add_block(_mm_loadu_si128((const __m128i *)(const void *)block), 0, (int)k, m);
            m->special &= ((uint64_t)1 << (k + rest)) - 1;
        }
    }
#else
    for (; k < count; k++) {
        uint8_t c = text[base + k];
        uint64_t bit = (uint64_t)1 << k;
        if (c >= '0' && c <= '9') m->digit |= bit;
        if (c == ' ' || c == '-') m->separator |= bit;
        if (c == '@') m->at |= bit;
        if (c == '.') m->dot |= bit;
        if (c == ':') m->colon |= bit;
        if (c == 'A') m->upper_a |= bit;
        if ((c | 0x20) == 'b') m->b |= bit;
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) m->special |= bit;
    }
#endif
}

static inline void masks_of(const uint8_t *text, size_t n, size_t base, size_t count, chunk_masks *m) {
    memset(m, 0, sizeof *m);
    add_masks(text, n, base, 0, count, m);
}

#if defined(__x86_64__)
#include <immintrin.h>
/* Every CPU with AVX2 has POPCNT and BMI1 too (each is checked): the
   chunk's popcount and bit scans become single instructions. */
#define SECSTREAM_AVX2 __attribute__((target("avx2,popcnt,bmi")))

/* `add_block` 32 bytes at a time (AVX2): half the blocks of a chunk. */
SECSTREAM_AVX2 static inline void add_block32(__m256i v, int drop, int shift, chunk_masks *m) {
    const __m256i below0 = _mm256_set1_epi8('0' - 1), above9 = _mm256_set1_epi8('9' + 1);
    const __m256i space = _mm256_set1_epi8(' '), dash = _mm256_set1_epi8('-'), at = _mm256_set1_epi8('@');
    const __m256i dot = _mm256_set1_epi8('.'), colon = _mm256_set1_epi8(':'), a = _mm256_set1_epi8('A');
    const __m256i lower = _mm256_set1_epi8(0x20), b = _mm256_set1_epi8('b');
    const __m256i quote = _mm256_set1_epi8('"'), backslash = _mm256_set1_epi8('\\');
#define SECSTREAM_BITS32(x) ((uint64_t)((uint32_t)_mm256_movemask_epi8(x) >> drop) << shift)
    m->digit |= SECSTREAM_BITS32(_mm256_and_si256(_mm256_cmpgt_epi8(v, below0), _mm256_cmpgt_epi8(above9, v)));
    m->separator |= SECSTREAM_BITS32(_mm256_or_si256(_mm256_cmpeq_epi8(v, space), _mm256_cmpeq_epi8(v, dash)));
    m->at |= SECSTREAM_BITS32(_mm256_cmpeq_epi8(v, at));
    m->dot |= SECSTREAM_BITS32(_mm256_cmpeq_epi8(v, dot));
    m->colon |= SECSTREAM_BITS32(_mm256_cmpeq_epi8(v, colon));
    m->upper_a |= SECSTREAM_BITS32(_mm256_cmpeq_epi8(v, a));
    m->b |= SECSTREAM_BITS32(_mm256_cmpeq_epi8(_mm256_or_si256(v, lower), b));
    m->special |= SECSTREAM_BITS32(_mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, backslash)),
                                                   _mm256_cmpgt_epi8(lower, v)));
#undef SECSTREAM_BITS32
}

/* `masks_of` with 32-byte blocks; a text shorter than 32 bytes the 16-byte way. */
SECSTREAM_AVX2 static inline void masks_of_avx2(const uint8_t *text, size_t n, size_t base, size_t count, chunk_masks *m) {
    memset(m, 0, sizeof *m);
    if (n < 32) {
        add_masks(text, n, base, 0, count, m);
        return;
    }
    size_t k = 0;
    for (; k + 32 <= count; k += 32)
        add_block32(_mm256_loadu_si256((const __m256i *)(const void *)(text + base + k)), 0, (int)k, m);
    if (k < count)
        add_block32(_mm256_loadu_si256((const __m256i *)(const void *)(text + n - 32)), (int)(32 - (count - k)), (int)k, m);
}
#endif

static inline int lower_ascii_is(const uint8_t *p, const char *word, size_t len) {
    for (size_t k = 0; k < len; k++)
        if ((p[k] | 0x20) != (uint8_t)word[k]) return 0;
    return 1;
}

#define SECSTREAM_CLUES_NAME clues_sse2
#define SECSTREAM_CLUES_MASKS masks_of
#define SECSTREAM_CLUES_ATTRIBUTES
#include "text_clues_pass.h"
#undef SECSTREAM_CLUES_NAME
#undef SECSTREAM_CLUES_MASKS
#undef SECSTREAM_CLUES_ATTRIBUTES

#if defined(__x86_64__)
#define SECSTREAM_CLUES_NAME clues_avx2
#define SECSTREAM_CLUES_MASKS masks_of_avx2
#define SECSTREAM_CLUES_ATTRIBUTES SECSTREAM_AVX2
#include "text_clues_pass.h"
#undef SECSTREAM_CLUES_NAME
#undef SECSTREAM_CLUES_MASKS
#undef SECSTREAM_CLUES_ATTRIBUTES

/* Whether the CPU has AVX2, asked once (0 unknown, 1 no, 2 yes): every
   free-text value takes this pass, so the 32-byte blocks pay where they can. */
static int avx2_state;

static int has_avx2(void) {
    int state = __atomic_load_n(&avx2_state, __ATOMIC_RELAXED);
    if (state == 0) {
        __builtin_cpu_init();
        state = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi") ? 2 : 1;
        __atomic_store_n(&avx2_state, state, __ATOMIC_RELAXED);
    }
    return state == 2;
}
#endif

void secstream_text_clues(const uint8_t *text, size_t n, secstream_text_clues_t *out) {
#if defined(__x86_64__)
    if (has_avx2()) {
        clues_avx2(text, n, out);
        return;
    }
#endif
    clues_sse2(text, n, out);
}

void secstream_text_clues_16(const uint8_t *text, size_t n, secstream_text_clues_t *out) { clues_sse2(text, n, out); }

int secstream_text_clues_block_width(void) {
#if defined(__x86_64__)
    if (has_avx2()) return 32;
#endif
    return 16;
}
