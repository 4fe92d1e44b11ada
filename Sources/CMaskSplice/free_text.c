#include "free_text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline int is_digit(uint8_t b) { return (uint8_t)(b - '0') < 10; }

/* `\b`'s word bytes: ASCII `[0-9A-Za-z_]` (a UTF-8 byte is not one, as in RE2). */
static inline int is_word(uint8_t b) { return is_digit(b) || (uint8_t)((b | 0x20) - 'a') < 26 || b == '_'; }

/* The end of the match starting at `s`, or 0. Greedy `{1,3}` with
   backtracking reduces to: each of the first three octets is its whole run
   of digits (1 to 3) followed by a dot; the last is its whole run (1 to 3)
   followed by a non-word byte or the end (a shorter prefix of a longer run
   is followed by a digit, never a boundary). */
static inline size_t quad_end(const uint8_t *p, size_t n, size_t s) {
#if defined(__SSE2__)
    if (n >= 16) {
        /* A match is 15 bytes at most: the runs read from one block's digit
           and dot bits (the block at `s`, or the text's last 16 bytes, its
           bits shifted down to `s`: past the text they are zero). */
        const size_t base = n - s >= 16 ? s : n - 16;
        const unsigned shift = (unsigned)(s - base);
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + base));
        const unsigned digits = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)))) >> shift;
        const unsigned dots = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.'))) >> shift;
        unsigned i = 0;
        for (int part = 0; part < 4; part++) {
            const unsigned run = (unsigned)__builtin_ctz(~(digits >> i)); /* bits past the block are ones in ~ */
            if (run - 1 > 2) return 0;                                     /* 1 to 3 digits */
            i += run;
            if (part < 3) {
                if (!((dots >> i) & 1)) return 0;
                i++;
            }
        }
        /* The byte after it: in the block, or the text's end. */
        return s + i < n && is_word(p[s + i]) ? 0 : s + i;
    }
#endif
    size_t i = s;
    for (int part = 0; part < 4; part++) {
        const size_t first = i;
        while (i < n && is_digit(p[i]) && i - first < 4) i++;
        const size_t digits = i - first;
        if (digits < 1 || digits > 3) return 0;
        if (part < 3) {
            if (i >= n || p[i] != '.') return 0;
            i++;
        } else if (i < n && is_word(p[i])) {
            return 0;
        }
    }
    return i;
}

/* Every match has a dot right after its first octet, and that octet is the
   whole run of digits before the dot: so only the dots are looked at, in
   order, each with the one start it allows. Two dots' starts come in the
   dots' order (a run before a dot holds no earlier dot), so the first that
   matches is the leftmost match. `\b` before a start looks at the byte
   before it even when that is before `from` (RE2's context). */
int secstream_find_dotted_quad(const uint8_t *p, size_t n, size_t from, size_t *start, size_t *end) {
    size_t d = from + 1; /* the first dot is one byte past the start at least */
    while (d < n) {
        const uint8_t *hit = memchr(p + d, '.', n - d);
        if (!hit) return 0;
        d = (size_t)(hit - p);
        size_t s = d;
        while (s > from && d - s < 4 && is_digit(p[s - 1])) s--;
        const size_t digits = d - s;
        if (digits >= 1 && digits <= 3 && (s == 0 || !is_word(p[s - 1]))) {
            const size_t e = quad_end(p, n, s);
            if (e) {
                *start = s;
                *end = e;
                return 1;
            }
        }
        d++;
    }
    return 0;
}

/* Makes room for `more` bytes in `b`. */
static inline uint8_t *room(secstream_bytes_t *b, size_t more) {
    if (b->count + more > b->capacity) secstream_bytes_grow(b, more);
    return b->base + b->count;
}

static inline void put(secstream_bytes_t *b, const uint8_t *p, size_t n) {
    if (n == 0) return;
    memcpy(room(b, n), p, n);
    b->count += n;
}

static inline int is_letter(uint8_t b) { return (uint8_t)((b | 0x20) - 'a') < 26; }
static inline int is_domain(uint8_t b) { return is_letter(b) || is_digit(b) || b == '.' || b == '-'; }
static inline int is_local(uint8_t b) { return is_domain(b) || b == '_' || b == '%' || b == '+'; }

/* Every match has an `@`, and the local part is the whole run of local
   bytes before it (back to `from`): so only the `@`s are looked at, in
   order, and two `@`s' starts come in their order (a local run holds no
   `@`). After the `@`, the greedy domain run backs off to its last dot that
   two letters follow, and the letters run as far as they go. */
int secstream_find_email(const uint8_t *p, size_t n, size_t from, size_t *start, size_t *end) {
    for (size_t a = from + 1; a < n; a++) { /* the local part is one byte at least */
        const uint8_t *hit = memchr(p + a, '@', n - a);
        if (!hit) return 0;
        a = (size_t)(hit - p);
        size_t s = a;
        while (s > from && is_local(p[s - 1])) s--;
        if (s == a) continue;
        size_t e = a + 1;
        while (e < n && is_domain(p[e])) e++;
        /* The last dot with one domain byte or more before it and two letters after it. */
        for (size_t k = e - 1; k >= a + 2; k--) {
            if (p[k] != '.') continue;
            size_t stop = k + 1;
            while (stop < e && is_letter(p[stop])) stop++;
            if (stop - k - 1 >= 2) {
                *start = s;
                *end = stop;
                return 1;
            }
        }
    }
    return 0;
}

/* The next match at or after `at` (the end of the `*used`th match): for
   quads on the text the plan saw (`planned`), the plan's answers to the same
   searches while it has them, then a search. */
static inline int next_found(int email, const uint8_t *text, size_t n, size_t at, const secstream_ipv4_key_t *planned,
                             int *used, size_t *start, size_t *end) {
    if (email) return secstream_find_email(text, n, at, start, end);
    if (planned && *used < 2) {
        if (*used >= planned->count) return 0; /* the plan's search found no more */
        const uint64_t range = *used == 0 ? planned->low : planned->high;
        *start = (size_t)(uint32_t)range;
        *end = (size_t)(range >> 32);
        (*used)++;
        return 1;
    }
    return secstream_find_dotted_quad(text, n, at, start, end);
}

/* The free text at `*current` (`*count` bytes, in `scratch[*in]`, or
   outside them when `*in` is -1) with its e-mail addresses (`email`) or its
   dotted quads replaced by their pseudonyms, into the other scratch buffer;
   `*current` moves there when there was one to replace. `planned`: the
   plan's quads when `*current` is the text the plan saw (else NULL). A
   match the tables do not hold: 0, with it in `result`. */
static int replace_found(const secstream_mask_tables_t *tables, int email, const secstream_ipv4_key_t *planned,
                         const uint8_t **current, size_t *count, int *in, secstream_bytes_t *scratch[2],
                         secstream_free_text_result_t *result) {
    const uint8_t *text = *current;
    const size_t n = *count;
    secstream_bytes_t *target = scratch[*in == 0 ? 1 : 0];
    size_t at = 0, copied = 0, start, end;
    int replaced = 0, used = 0;
    while (next_found(email, text, n, at, planned, &used, &start, &end)) {
        const uint8_t *found = text + start;
        const size_t length = end - start;
        uint8_t word[16];
        const uint8_t *replacement = word;
        size_t replacement_count;
        if (email) {
            /* `email_` and its pseudonym, entered by Swift in the inline table under its own tag. */
            const uint64_t hash = secstream_value_hash(found, length, SECSTREAM_EMAIL_TAG);
            const uint8_t *s = length > SECSTREAM_INLINE_KEY_MAX ? NULL
                : secstream_inline_find(tables->inline_slots, tables->inline_mask, found, length, SECSTREAM_EMAIL_TAG, hash);
            if (!s) goto new_value;
            replacement = secstream_inline_json(s);
            replacement_count = secstream_inline_json_count(s);
        } else {
            secstream_ipv4_key_t key;
            (void)secstream_ipv4_key(found, length, &key); /* 7 to 15 bytes: always a key */
            const uint64_t *e = secstream_ipv4_find(tables->ipv4_entries, tables->ipv4_bits, &key);
            if (!e) goto new_value;
            /* The pseudonym's text: two words, of which its length counts. */
            const uint64_t high = e[3] & SECSTREAM_IPV4_TEXT_BYTES;
            memcpy(word, &e[2], 8);
            memcpy(word + 8, &high, 8);
            replacement_count = (size_t)((e[3] >> 56) & 0xF);
        }
        if (!replaced) target->count = 0;
        replaced = 1;
        put(target, text + copied, start - copied);
        put(target, replacement, replacement_count);
        copied = at = end;
        continue;
    new_value:
        result->status = email ? SECSTREAM_FREE_TEXT_NEW_EMAIL : SECSTREAM_FREE_TEXT_NEW_ADDRESS;
        result->found = found;
        result->found_count = (int32_t)length;
        return 0;
    }
    if (replaced) {
        put(target, text + copied, n - copied);
        *current = target->base;
        *count = target->count;
        *in = *in == 0 ? 1 : 0;
    }
    return 1;
}

/* The free text `text` (whose kinds that may match are `allowed`: of
   `email` and `ipv4` only) masked and quoted into `out`, as `apply` with
   the rules' order and then `replaceKnown` would: the e-mail addresses, the
   quads, then the pairs. 1, or 0 with `result` saying why (nothing written). */
static int mask_text(const secstream_mask_tables_t *tables, uint8_t kinds, uint8_t allowed, const uint8_t *text, size_t n,
                     const secstream_ipv4_key_t *planned_quads, const secstream_known_pair_t *pairs, int pair_count,
                     secstream_bytes_t *scratch[2], secstream_bytes_t *out, secstream_free_text_result_t *result) {
    /* What the text is after each step: the text itself, or one of the scratch buffers. */
    const uint8_t *current = text;
    size_t count = n;
    int in = -1; /* the scratch buffer `current` is in, -1: the text */

    if (allowed & SECSTREAM_TEXT_KIND_EMAIL) {
        if (!replace_found(tables, 1, NULL, &current, &count, &in, scratch, result)) return 0;
        if (in >= 0) {
            /* What the later rules see: a pseudonym's hex digits can make a card's clue. */
            secstream_text_clues_t later;
            secstream_text_clues(current, count, &later);
            const uint8_t bits = secstream_text_kind_bits(&later) & kinds;
            if (bits & (SECSTREAM_TEXT_KIND_CARD | SECSTREAM_TEXT_KIND_IPV6)) {
                result->status = SECSTREAM_FREE_TEXT_GENERAL;
                return 0;
            }
        }
    }
    if ((allowed & SECSTREAM_TEXT_KIND_IPV4)
        && !replace_found(tables, 0, in < 0 ? planned_quads : NULL, &current, &count, &in, scratch, result)) return 0;

    /* The pairs, each on what the ones before left; the buffers take turns. */
    for (int k = 0; k < pair_count; k++) {
        const secstream_known_pair_t *pair = &pairs[k];
        if (pair->raw_count == 0 || count < pair->raw_count) continue;
        size_t from = 0;
        secstream_bytes_t *target = scratch[in == 0 ? 1 : 0];
        const uint8_t *hit;
        while ((hit = secstream_find_bytes(current + from, count - from, pair->raw, pair->raw_count)) != NULL) {
            const size_t at = (size_t)(hit - current);
            if (from == 0) target->count = 0;
            put(target, current + from, at - from);
            put(target, pair->masked, pair->masked_count);
            from = at + pair->raw_count;
        }
        if (from == 0) continue;
        put(target, current + from, count - from);
        current = target->base;
        count = target->count;
        in = in == 0 ? 1 : 0;
    }

    uint8_t *w = room(out, count + 2);
    w[0] = '"';
    memcpy(w + 1, current, count);
    w[count + 1] = '"';
    out->count += count + 2;
    return 1;
}

secstream_free_text_result_t secstream_mask_free_text_line(const secstream_mask_tables_t *tables, uint8_t kinds,
                                                           const uint8_t *line, size_t n,
                                                           const secstream_mask_value_t *values, int count,
                                                           secstream_known_pair_t *pairs, int32_t *spans,
                                                           secstream_bytes_t *value_bytes, secstream_bytes_t *scratch0,
                                                           secstream_bytes_t *scratch1, secstream_bytes_t *out) {
    secstream_free_text_result_t result = {SECSTREAM_FREE_TEXT_GENERAL, 0, NULL, 0};
    /* The other values from the tables, quoted, into `value_bytes`; a pair
       for each that changes (its masked bytes' offset for now: the buffer may move). */
    value_bytes->count = 0;
    int pair_count = 0;
    for (int k = 0; k < count; k++) {
        const secstream_mask_value_t *v = &values[k];
        if (tables->action_class[v->action] == SECSTREAM_MASK_PATTERNS) continue;
        const size_t at = value_bytes->count;
        int changed;
        const int written = secstream_mask_cached(tables, line, v, room(value_bytes, 32), &changed);
        if (written < 0) {
            result.status = SECSTREAM_FREE_TEXT_NEW_VALUE;
            result.value = k;
            return result;
        }
        value_bytes->count += (size_t)written;
        spans[2 * k] = (int32_t)at;
        spans[2 * k + 1] = (int32_t)value_bytes->count;
        if (changed) {
            pairs[pair_count].raw = line + v->start;
            pairs[pair_count].raw_count = (size_t)(v->end - v->start);
            pairs[pair_count].masked = (const uint8_t *)(uintptr_t)(at + 1); /* the offset, for now */
            pairs[pair_count].masked_count = (size_t)written - 2;
            pair_count++;
        }
    }
    for (int j = 0; j < pair_count; j++) pairs[j].masked = value_bytes->base + (uintptr_t)pairs[j].masked;

    /* The free texts' clues (after the values: a line with a new value is Swift's before this pass). */
    for (int k = 0; k < count; k++) {
        const secstream_mask_value_t *v = &values[k];
        if (tables->action_class[v->action] != SECSTREAM_MASK_PATTERNS) continue;
        secstream_text_clues_t clues;
        secstream_text_clues(line + v->start, (size_t)(v->end - v->start), &clues);
        const uint8_t allowed = secstream_text_kind_bits(&clues) & kinds;
        if (clues.needs_escape || (allowed & ~(SECSTREAM_TEXT_KIND_EMAIL | SECSTREAM_TEXT_KIND_IPV4))) return result;
        spans[2 * k] = allowed;
    }

    /* The line in runs. */
    secstream_bytes_t *scratch[2] = {scratch0, scratch1};
    const size_t written = out->count;
    size_t copied = 0;
    for (int k = 0; k < count; k++) {
        const secstream_mask_value_t *v = &values[k];
        put(out, line + copied, (size_t)v->start - 1 - copied); /* up to the opening quote */
        copied = (size_t)v->end + 1;                            /* past the closing quote */
        if (tables->action_class[v->action] != SECSTREAM_MASK_PATTERNS) {
            put(out, value_bytes->base + spans[2 * k], (size_t)(spans[2 * k + 1] - spans[2 * k]));
            continue;
        }
        if (!mask_text(tables, kinds, (uint8_t)spans[2 * k], line + v->start, (size_t)(v->end - v->start), &v->key, pairs,
                       pair_count, scratch, out, &result)) {
            out->count = written;
            return result;
        }
    }
    put(out, line + copied, n - copied);
    result.status = SECSTREAM_FREE_TEXT_WRITTEN;
    return result;
}
