#ifndef SECSTREAM_TEXT_CLUES_H
#define SECSTREAM_TEXT_CLUES_H

#include <stddef.h>
#include <stdint.h>

/// What the free-text pattern kinds need a text to hold before their regex
/// can match (SecStreamMask's `TextClues`): each flag is implied by every
/// match of its kind, so a kind whose flag is clear is skipped.
typedef struct {
    uint8_t at;               /* '@': email, url_password */
    uint8_t scheme_separator; /* "://": url_password */
    uint8_t dot;              /* '.': ipv4 */
    uint8_t aws_prefix;       /* "AKIA" or "ASIA": aws_key */
    uint8_t bearer;           /* "bearer" in any case: bearer */
    uint8_t long_digit_run;   /* 13 or more digits and single ' '/'-' between digits in a row: card */
    uint8_t needs_escape;     /* '"', '\\', a control or a non-ASCII byte: JSON escaping may change the text */
    uint32_t colons;          /* ':' count: ipv6 needs two */
} secstream_text_clues_t;

/// One pass over `n` bytes at `p`, 64 at a time (compares into bit masks:
/// 32-byte blocks where the CPU has AVX2, else 16-byte SSE2 blocks on
/// x86-64); reads nothing outside the text.
void secstream_text_clues(const uint8_t *p, size_t n, secstream_text_clues_t *out);

/// The same pass with 16-byte blocks whatever the CPU (tests hold the two to each other).
void secstream_text_clues_16(const uint8_t *p, size_t n, secstream_text_clues_t *out);

/// The block width `secstream_text_clues` takes on this CPU: 32 or 16.
int secstream_text_clues_block_width(void);

/* The built-in pattern kinds, a bit each (SecStreamMask's `TextPatterns.Kind`). */
enum {
    SECSTREAM_TEXT_KIND_URL_PASSWORD = 1,
    SECSTREAM_TEXT_KIND_BEARER = 2,
    SECSTREAM_TEXT_KIND_AWS_KEY = 4,
    SECSTREAM_TEXT_KIND_EMAIL = 8,
    SECSTREAM_TEXT_KIND_CARD = 16,
    SECSTREAM_TEXT_KIND_IPV6 = 32,
    SECSTREAM_TEXT_KIND_IPV4 = 64
};

/* The kinds whose regex could match a text with these clues. */
static inline uint8_t secstream_text_kind_bits(const secstream_text_clues_t *c) {
    uint8_t bits = 0;
    if (c->at && c->scheme_separator) bits |= SECSTREAM_TEXT_KIND_URL_PASSWORD;
    if (c->bearer) bits |= SECSTREAM_TEXT_KIND_BEARER;
    if (c->aws_prefix) bits |= SECSTREAM_TEXT_KIND_AWS_KEY;
    if (c->at) bits |= SECSTREAM_TEXT_KIND_EMAIL;
    if (c->long_digit_run) bits |= SECSTREAM_TEXT_KIND_CARD;
    if (c->colons >= 2) bits |= SECSTREAM_TEXT_KIND_IPV6;
    if (c->dot) bits |= SECSTREAM_TEXT_KIND_IPV4;
    return bits;
}

#endif
