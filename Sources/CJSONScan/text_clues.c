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

/* The masks of the `count` (1...64) bytes at `text + base`, of `n` in all;
   nothing outside the text is read: a last block short of 16 bytes is loaded
   overlapping the block before (its seen bytes shifted out), or, in a text
   shorter than 16, copied. */
static inline void masks_of(const uint8_t *text, size_t n, size_t base, size_t count, chunk_masks *m) {
    memset(m, 0, sizeof *m);
#if defined(__SSE2__)
    size_t k = 0;
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
    for (size_t k = 0; k < count; k++) {
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

static inline int lower_ascii_is(const uint8_t *p, const char *word, size_t len) {
    for (size_t k = 0; k < len; k++)
        if ((p[k] | 0x20) != (uint8_t)word[k]) return 0;
    return 1;
}

void secstream_text_clues(const uint8_t *text, size_t n, secstream_text_clues_t *out) {
    memset(out, 0, sizeof *out);
    uint64_t carry_run = 0;   /* the card run's length at the end of the previous chunk */
    uint64_t prev_digit = 0;  /* whether the previous chunk's last byte was a digit */
    for (size_t base = 0; base < n; base += 64) {
        size_t count = n - base < 64 ? n - base : 64;
        chunk_masks m;
        masks_of(text, n, base, count, &m);
        if (m.special) out->needs_escape = 1;
        if (m.at) out->at = 1;
        if (m.dot) out->dot = 1;
        out->colons += (uint32_t)__builtin_popcountll(m.colon);
        /* The rarer bytes are looked at one by one, in the text itself. */
        for (uint64_t c = m.colon; c; c &= c - 1) {
            size_t i = base + (size_t)__builtin_ctzll(c);
            if (i + 2 < n && text[i + 1] == '/' && text[i + 2] == '/') out->scheme_separator = 1;
        }
        for (uint64_t c = m.upper_a; c && !out->aws_prefix; c &= c - 1) {
            size_t i = base + (size_t)__builtin_ctzll(c);
            if (i + 3 < n && (text[i + 1] == 'K' || text[i + 1] == 'S') && text[i + 2] == 'I' && text[i + 3] == 'A')
                out->aws_prefix = 1;
        }
        for (uint64_t c = m.b; c && !out->bearer; c &= c - 1) {
            size_t i = base + (size_t)__builtin_ctzll(c);
            if (i + 5 < n && lower_ascii_is(text + i + 1, "earer", 5)) out->bearer = 1;
        }
        /* A card's bytes: digits, and single separators between two digits.
           At the chunk's end the next byte is taken for a digit (a clue may
           say yes too often, never too rarely). Then a run of 13 such bytes:
           four shift-ands find one inside the chunk, `carry_run` one across chunks. */
        uint64_t before = (m.digit << 1) | prev_digit;
        uint64_t after = (m.digit >> 1) | ((uint64_t)1 << 63);
        uint64_t x = m.digit | (m.separator & before & after);
        if (!out->long_digit_run) {
            uint64_t leading = ~x ? (uint64_t)__builtin_ctzll(~x) : 64;
            uint64_t r = x & (x >> 1);
            r &= r >> 2;
            r &= r >> 4;
            r &= r >> 5;
            if (r || carry_run + leading >= 13) out->long_digit_run = 1;
            carry_run = ~x ? (uint64_t)__builtin_clzll(~x) : carry_run + 64;
        }
        prev_digit = m.digit >> 63;
    }
}
