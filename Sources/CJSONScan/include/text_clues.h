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

/// One pass over `n` bytes at `p`, 64 at a time (SSE2 compares into bit
/// masks on x86-64); reads nothing outside the text.
void secstream_text_clues(const uint8_t *p, size_t n, secstream_text_clues_t *out);

#endif
