#ifndef SECSTREAM_JSON_SCAN_H
#define SECSTREAM_JSON_SCAN_H

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Bit k set when byte k of the 64 at `p` ends or complicates a JSON string:
/// `"`, `\`, a control character (< 0x20) or a non-ASCII byte (>= 0x80).
/// Reads exactly 64 bytes. Static inline so that Swift callers inline it.
///
/// With SSE2 (every x86-64) four 16-byte compares and movemasks; a signed
/// compare takes `"`, control and non-ASCII bytes at once (0x80..0xff are
/// negative as signed bytes). Elsewhere the portable loop.
static inline uint64_t secstream_json_string_specials64(const uint8_t *p) {
#if defined(__SSE2__)
    const __m128i two = _mm_set1_epi8(0x02);
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i bang = _mm_set1_epi8(0x21);
    uint64_t mask = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        // v ^ 2 is below 0x21 (signed) exactly for `"` (0x22 -> 0x20), the
        // control characters (they stay below 0x20) and the non-ASCII bytes
        // (they stay negative): one compare where `"` took its own.
        __m128i s = _mm_or_si128(_mm_cmplt_epi8(_mm_xor_si128(v, two), bang), _mm_cmpeq_epi8(v, backslash));
        mask |= (uint64_t)(uint16_t)_mm_movemask_epi8(s) << (16 * k);
    }
    return mask;
#else
    uint64_t mask = 0;
    for (int k = 0; k < 64; k++) {
        uint8_t c = p[k];
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) mask |= (uint64_t)1 << k;
    }
    return mask;
#endif
}

/// Asks for the cache line at `p` ahead of its use (a hint: never faults).
/// The archive masker fetches the table slots an event's values need right
/// after the scan, so the misses overlap detection instead of stalling the splice.
static inline void secstream_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

#endif
