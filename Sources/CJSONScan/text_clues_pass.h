/* The clue pass's body (text_clues.c includes it once per block width):
   `SECSTREAM_CLUES_NAME` is the function defined, `SECSTREAM_CLUES_MASKS`
   the chunk masks it uses, `SECSTREAM_CLUES_ATTRIBUTES` its target. One
   body, so the 16- and 32-byte passes cannot drift apart. */

SECSTREAM_CLUES_ATTRIBUTES static void SECSTREAM_CLUES_NAME(const uint8_t *text, size_t n, secstream_text_clues_t *out) {
    memset(out, 0, sizeof *out);
    uint64_t carry_run = 0;   /* the card run's length at the end of the previous chunk */
    uint64_t prev_digit = 0;  /* whether the previous chunk's last byte was a digit */
    for (size_t base = 0; base < n; base += 64) {
        size_t count = n - base < 64 ? n - base : 64;
        chunk_masks m;
        SECSTREAM_CLUES_MASKS(text, n, base, count, &m);
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
