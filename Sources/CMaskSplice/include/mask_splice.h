#ifndef SECSTREAM_MASK_SPLICE_H
#define SECSTREAM_MASK_SPLICE_H

/* The archive masker's cached values and the splice of them into a scanned
   line (SecStreamMask's `EventMasker.planScanned` / `maskScanned`).

   Why C: a line with two or three masked values cost ~700 instructions in
   Swift between planning, the table lookups and the copies (callgrind, the
   bench events), most of it moving keys and enum payloads through structs
   and the checks around them. Here a value is a slot read, a key, a
   prefetch, and at splice time a probe and two copies. Everything that is
   not a hit in the tables (a new value, free text, an unusual line) stays
   in Swift; the tables' layouts are only here, Swift inserts through the
   functions below. Nothing reads outside the line or a table: lengths come
   from the scanner's slots, which lie inside the line. */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The small functions below are on the splice's per-value path: inlined
   always (left to itself the compiler kept the key's as a call). */
#define SECSTREAM_MASK_INLINE static inline __attribute__((always_inline))

/* ---- Output bytes ----------------------------------------------------------

   SecStreamMask's `MaskedBytes`: a growable run of bytes (malloc'd), written
   by Swift and by the splice. */
typedef struct {
    uint8_t *base;
    size_t capacity;
    size_t count;
} secstream_bytes_t;

/* Makes room for `more` bytes past `count` (doubling, 4 KiB at least); aborts when out of memory. */
void secstream_bytes_grow(secstream_bytes_t *bytes, size_t more);
void secstream_bytes_free(secstream_bytes_t *bytes);

/* The first occurrence of `needle` in `haystack`, or NULL (glibc's memmem
   hashes pairs of bytes one at a time: slower on a message than a memchr
   for the first byte and a compare at each hit, which this beats). */
const void *secstream_find_bytes(const void *haystack, size_t haystack_count, const void *needle, size_t needle_count);

/* A zeroed table of `bytes`, 2 MiB aligned, its pages provided as they are
   first touched, with transparent huge pages asked for (madvise) when it
   is 2 MiB or more: the value tables are 4 MiB each, and with 4 KiB pages
   the plan's prefetches stalled on page walks (perf: two thirds of the
   plan's time on its prefetch). NULL when out of memory. */
void *secstream_table_alloc(size_t bytes);
void secstream_table_free(void *table);

/* ---- Keys ---------------------------------------------------------------- */

/* A text that may be a dotted quad (7 to 15 bytes) as two little-endian
   words (bytes past its length zero), its length and hash. */
typedef struct {
    uint64_t low;
    uint64_t high;
    int64_t count;
    uint64_t hash;
} secstream_ipv4_key_t;

/* The key of `n` bytes at `p`; 0 (no key) for any length but 7 to 15.
   Reads only the text: two overlapping words. */
SECSTREAM_MASK_INLINE int secstream_ipv4_key(const uint8_t *p, size_t n, secstream_ipv4_key_t *key) {
    if (n < 7 || n > 15) return 0;
    uint64_t low, high = 0;
    if (n >= 8) {
        memcpy(&low, p, 8);
        uint64_t last;
        memcpy(&last, p + n - 8, 8);
        /* Bytes 8..<n: the last word shifted down by the bytes it shares with `low`. */
        high = n == 8 ? 0 : last >> (8 * (16 - n));
    } else {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + 3, 4);
        low = (uint64_t)a | (uint64_t)b << 24;
    }
    uint64_t h = (low ^ (high * 0x9E3779B97F4A7C15ull) ^ (uint64_t)n) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    key->low = low;
    key->high = high;
    key->count = (int64_t)n;
    key->hash = h;
    return 1;
}

/* The hash of `n` bytes and a tag byte (an action's index): eight bytes a
   step (a multiply and a shift-xor), the rest in one partial word. Never 0. */
SECSTREAM_MASK_INLINE uint64_t secstream_value_hash(const uint8_t *p, size_t n, uint8_t tag) {
    uint64_t h = 0xcbf29ce484222325ull ^ ((uint64_t)tag << 48) ^ (uint64_t)n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    if (i < n) {
        uint64_t tail = 0;
        memcpy(&tail, p + i, n - i);
        h = (h ^ tail) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    return (h * 0x100000001b3ull) | 1;
}

/* ---- IPv4 texts -> pseudonym texts ----------------------------------------

   Four words an entry, two entries a cache line, open addressing (four
   probes): the key's two words (its length in the top byte of the second:
   a text of 15 bytes leaves it free, and a length of 7 or more makes the
   word non-zero, so 0 marks an empty entry), then the pseudonym's text
   (its length in bits 56-59 of the fourth word, bit 63: it differs from
   the address). `bits`: log2 of the entries. */

#define SECSTREAM_IPV4_TEXT_BYTES 0x00FFFFFFFFFFFFFFull

SECSTREAM_MASK_INLINE size_t secstream_ipv4_home(const secstream_ipv4_key_t *key, int bits) {
    return (size_t)(key->hash >> (64 - bits));
}

SECSTREAM_MASK_INLINE const uint64_t *secstream_ipv4_find(const uint64_t *entries, int bits, const secstream_ipv4_key_t *key) {
    size_t mask = ((size_t)1 << bits) - 1, i = secstream_ipv4_home(key, bits);
    uint64_t second = key->high | (uint64_t)key->count << 56;
    for (int probe = 0; probe < 4; probe++) {
        const uint64_t *e = entries + 4 * i;
        if (e[1] == 0) return NULL;
        if (e[1] == second && e[0] == key->low) return e;
        i = (i + 1) & mask;
    }
    return NULL;
}

/* Enters a pseudonym text (`count` bytes in two words, bytes past it zero);
   a full probe run replaces the home entry (a later miss recomputes it). */
SECSTREAM_MASK_INLINE void secstream_ipv4_insert(uint64_t *entries, int bits, const secstream_ipv4_key_t *key,
                                         uint64_t text_low, uint64_t text_high, int count, int changed) {
    size_t mask = ((size_t)1 << bits) - 1, first = secstream_ipv4_home(key, bits), i = first;
    for (int probe = 0; probe < 4 && entries[4 * i + 1] != 0; probe++) i = (i + 1) & mask;
    if (entries[4 * i + 1] != 0) i = first;
    uint64_t *e = entries + 4 * i;
    e[0] = key->low;
    e[1] = key->high | (uint64_t)key->count << 56;
    e[2] = text_low;
    e[3] = (text_high & SECSTREAM_IPV4_TEXT_BYTES) | (uint64_t)(count & 0xF) << 56 | (changed ? 1ull << 63 : 0);
}

/* ---- Short values -> quoted replacements ----------------------------------

   64-byte slots (a cache line), two a set: hash (8), key length, tag,
   replacement length, flags (bit 0: the walker records a (value,
   replacement) pair), key (24), replacement (28, quoted JSON). */

enum { SECSTREAM_INLINE_KEY_MAX = 24, SECSTREAM_INLINE_JSON_MAX = 28, SECSTREAM_INLINE_SLOT = 64 };

SECSTREAM_MASK_INLINE size_t secstream_inline_set(uint64_t hash, uint64_t mask) {
    return (size_t)((hash ^ (hash >> 29)) & mask & ~(uint64_t)1);
}

SECSTREAM_MASK_INLINE const uint8_t *secstream_inline_find(const uint8_t *slots, uint64_t mask, const uint8_t *key, size_t n,
                                                   uint8_t tag, uint64_t hash) {
    size_t set = secstream_inline_set(hash, mask);
    for (size_t index = set; index <= (set | 1); index++) {
        const uint8_t *s = slots + index * SECSTREAM_INLINE_SLOT;
        uint64_t stored;
        memcpy(&stored, s, 8);
        if (stored == hash && s[8] == (uint8_t)n && s[9] == tag && (n == 0 || memcmp(s + 12, key, n) == 0)) return s;
    }
    return NULL;
}

/* A found slot's quoted replacement, its length, and whether the walker records a pair for it. */
SECSTREAM_MASK_INLINE const uint8_t *secstream_inline_json(const uint8_t *slot) { return slot + 36; }
SECSTREAM_MASK_INLINE size_t secstream_inline_json_count(const uint8_t *slot) { return slot[10]; }
SECSTREAM_MASK_INLINE int secstream_inline_records_pair(const uint8_t *slot) { return slot[11] & 1; }

/* Enters (key, tag) -> json; nothing when either is too long for a slot. */
SECSTREAM_MASK_INLINE void secstream_inline_insert(uint8_t *slots, uint64_t mask, const uint8_t *key, size_t n, uint8_t tag,
                                           uint64_t hash, const uint8_t *json, size_t json_count, int records_pair) {
    if (n > SECSTREAM_INLINE_KEY_MAX || json_count > SECSTREAM_INLINE_JSON_MAX) return;
    size_t set = secstream_inline_set(hash, mask);
    size_t index = set | (size_t)((hash >> 40) & 1);
    uint64_t first, second;
    memcpy(&first, slots + set * SECSTREAM_INLINE_SLOT, 8);
    memcpy(&second, slots + (set | 1) * SECSTREAM_INLINE_SLOT, 8);
    if (first == 0) index = set; else if (second == 0) index = set | 1;
    uint8_t *s = slots + index * SECSTREAM_INLINE_SLOT;
    memcpy(s, &hash, 8);
    s[8] = (uint8_t)n;
    s[9] = tag;
    s[10] = (uint8_t)json_count;
    s[11] = records_pair ? 1 : 0;
    if (n) memcpy(s + 12, key, n);
    memcpy(s + 36, json, json_count);
}

/* ---- Plan and splice ------------------------------------------------------ */

/* What a policy action is to the splice. */
enum {
    SECSTREAM_MASK_HASHED = 0,    /* looked up by the value's hash (hmac, truncate, redact) */
    SECSTREAM_MASK_CRYPTOPAN = 1, /* looked up by the IPv4 text, else hashed */
    SECSTREAM_MASK_PATTERNS = 2,  /* free text: the line is Swift's */
    SECSTREAM_MASK_DROP = 3       /* the line is walked */
};

/* The scanner's slot (SecStreamCore's `FieldSlot`: 12 bytes) and the
   `ValueKind` numbers a plan reads. */
typedef struct {
    int32_t start;
    int32_t end;
    uint8_t kind;
} secstream_field_slot_t;

enum {
    SECSTREAM_KIND_MISSING = 0, SECSTREAM_KIND_STRING = 1, SECSTREAM_KIND_ESCAPED = 2, SECSTREAM_KIND_NUMBER = 3,
    SECSTREAM_KIND_TRUE = 4, SECSTREAM_KIND_FALSE = 5, SECSTREAM_KIND_NULL = 6
};

/* The masker's tables, as the plan and the splice read them. */
typedef struct {
    int32_t path_count;
    const int32_t *path_actions; /* per scanned path: its action's index */
    const uint8_t *action_class; /* per action: SECSTREAM_MASK_* */
    const uint64_t *ipv4_entries;
    int32_t ipv4_bits;
    const uint8_t *inline_slots;
    uint64_t inline_mask;
    /* 1 when free text goes through `secstream_mask_free_text_line` (its
       kinds include `ipv4`), which takes the quads the plan finds: else the
       plan does not look for them. */
    uint8_t free_text_quads;
} secstream_mask_tables_t;

/* One string value to mask: its bytes in the line (no quotes), its action,
   and its cache key (`ipv4`: `key` is an IPv4 text's; else `key.hash` is
   the value's hash with its action). Free text has no key: with the
   tables' `free_text_quads` set, `key.count` is how many dotted quads the
   plan found in it, up to two, each a range of
   the text as its start in the low half of a word and its end in the high
   half (`key.low` the first, `key.high` the next after it); fewer than two:
   the text holds no more. */
typedef struct {
    int32_t start;
    int32_t end;
    int32_t action;
    int32_t ipv4;
    secstream_ipv4_key_t key;
} secstream_mask_value_t;

/* Writes value `v`'s cached replacement, quoted, at `w` (room for 32
   bytes: an IPv4 text writes two whole words): its length, or -1 when the
   tables do not hold it. `*pair`: whether the walker records a (value,
   replacement) pair for it (the replacement differs from the value). */
SECSTREAM_MASK_INLINE int secstream_mask_cached(const secstream_mask_tables_t *tables, const uint8_t *line,
                                                const secstream_mask_value_t *v, uint8_t *w, int *pair) {
    if (v->ipv4) {
        const uint64_t *e = secstream_ipv4_find(tables->ipv4_entries, tables->ipv4_bits, &v->key);
        if (!e) return -1;
        /* The quote, two words of text (bytes past it are written over next
           or lie in the room), the quote. */
        const int text = (int)((e[3] >> 56) & 0xF);
        const uint64_t high = e[3] & SECSTREAM_IPV4_TEXT_BYTES;
        w[0] = '"';
        memcpy(w + 1, &e[2], 8);
        memcpy(w + 9, &high, 8);
        w[1 + text] = '"';
        *pair = (int)(e[3] >> 63);
        return text + 2;
    }
    const size_t length = (size_t)(v->end - v->start);
    if (length > SECSTREAM_INLINE_KEY_MAX) return -1;
    const uint8_t *s = secstream_inline_find(tables->inline_slots, tables->inline_mask, line + v->start, length,
                                             (uint8_t)v->action, v->key.hash);
    if (!s) return -1;
    memcpy(w, secstream_inline_json(s), secstream_inline_json_count(s));
    *pair = secstream_inline_records_pair(s);
    return (int)secstream_inline_json_count(s);
}

/* A plan: the number of values (-1: the line must be walked) and whether
   one of them is free text (returned in a register, not through memory). */
typedef struct {
    int32_t count;
    int32_t free_text;
} secstream_mask_plan_t;

/* The values of a line the scanner found `fields` in (`fields[k]`: the slot
   of path k), in line order, their cache entries prefetched; the line is
   walked (count -1) when a dropped field is present, or an escaped string,
   a container, or a scalar under an action other than patterns. */
secstream_mask_plan_t secstream_mask_plan(const secstream_mask_tables_t *tables, const uint8_t *line,
                                          const secstream_field_slot_t *slots, const int32_t *fields,
                                          secstream_mask_value_t *values);

/* Appends to `out` the line from just past value `from - 1` (from its
   start when `from` is 0), each of `values[from ..< count]` replaced by its
   cached replacement, quoted. Stops at a value the tables do not hold:
   returns its index, having written the line up to its opening quote (the
   caller writes that value and goes on from the next). Returns -1 when the
   whole line is written. */
int secstream_mask_splice(const secstream_mask_tables_t *tables, const uint8_t *line, size_t n,
                          const secstream_mask_value_t *values, int from, int count, secstream_bytes_t *out);

#endif
