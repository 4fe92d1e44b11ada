#include "mask_splice.h"
#include "free_text.h"

#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

secstream_mask_plan_t secstream_mask_plan(const secstream_mask_tables_t *tables, const uint8_t *line,
                                          const secstream_field_slot_t *slots, const int32_t *fields,
                                          secstream_mask_value_t *values) {
    const secstream_mask_plan_t walk = {-1, 0};
    int count = 0, free_text = 0;
    const int32_t paths = tables->path_count;
    for (int32_t k = 0; k < paths; k++) {
        const secstream_field_slot_t slot = slots[fields[k]];
        /* Most of a policy's fields are missing from most lines: one load and a compare. */
        if (__builtin_expect(slot.kind == SECSTREAM_KIND_MISSING, 1)) continue;
        const int32_t action = tables->path_actions[k];
        const uint8_t class = tables->action_class[action];
        switch (slot.kind) {
        case SECSTREAM_KIND_STRING:
            break;
        case SECSTREAM_KIND_NULL:
            if (class == SECSTREAM_MASK_DROP) return walk;
            continue;
        case SECSTREAM_KIND_NUMBER:
        case SECSTREAM_KIND_TRUE:
        case SECSTREAM_KIND_FALSE:
            /* Free-text patterns leave a scalar as it is; other actions are the walker's. */
            if (class != SECSTREAM_MASK_PATTERNS) return walk;
            continue;
        default: /* an escaped string, an object, an array */
            return walk;
        }
        if (class == SECSTREAM_MASK_DROP) return walk;
        secstream_mask_value_t v;
        v.start = slot.start;
        v.end = slot.end;
        v.action = action;
        v.ipv4 = 0;
        v.key.low = v.key.high = 0;
        v.key.count = 0;
        v.key.hash = 0;
        const uint8_t *content = line + slot.start;
        const size_t n = (size_t)(slot.end - slot.start);
        if (class == SECSTREAM_MASK_PATTERNS) {
            free_text = 1;
            /* The text's first two dotted quads' entries, fetched now: found
               at splice time, their probe was a miss from memory (perf: three
               quarters of `replace_found`'s time on that one load). Where they
               are is kept for the splice, which searches only after them. */
            size_t from = 0, s, e;
            while (tables->free_text_quads && v.key.count < 2 && secstream_find_dotted_quad(content, n, from, &s, &e)) {
                secstream_ipv4_key_t quad;
                (void)secstream_ipv4_key(content + s, e - s, &quad); /* 7 to 15 bytes: always a key */
                __builtin_prefetch(tables->ipv4_entries + 4 * secstream_ipv4_home(&quad, tables->ipv4_bits));
                const uint64_t range = (uint64_t)s | (uint64_t)e << 32;
                if (v.key.count == 0) v.key.low = range; else v.key.high = range;
                v.key.count++;
                from = e;
            }
        } else if (class == SECSTREAM_MASK_CRYPTOPAN && secstream_ipv4_key(content, n, &v.key)) {
            v.ipv4 = 1;
            __builtin_prefetch(tables->ipv4_entries + 4 * secstream_ipv4_home(&v.key, tables->ipv4_bits));
        } else {
            v.key.hash = secstream_value_hash(content, n, (uint8_t)action);
            __builtin_prefetch(tables->inline_slots + secstream_inline_set(v.key.hash, tables->inline_mask) * SECSTREAM_INLINE_SLOT);
        }
        /* In line order (a handful of values: insertion). */
        int at = count;
        while (at > 0 && values[at - 1].start > v.start) {
            values[at] = values[at - 1];
            at--;
        }
        values[at] = v;
        count++;
    }
    const secstream_mask_plan_t plan = {count, free_text};
    return plan;
}

int secstream_mask_splice(const secstream_mask_tables_t *tables, const uint8_t *line, size_t n,
                          const secstream_mask_value_t *values, int from, int count, secstream_bytes_t *bytes) {
    size_t copied = from > 0 ? (size_t)values[from - 1].end + 1 : 0;
    /* Room for the rest of the line and a replacement of up to 32 bytes a value. */
    size_t room = n - copied + 32 * (size_t)(count - from);
    if (bytes->count + room > bytes->capacity) secstream_bytes_grow(bytes, room);
    uint8_t *out = bytes->base + bytes->count;
    size_t w = 0;
    for (int k = from; k < count; k++) {
        const secstream_mask_value_t *v = &values[k];
        const size_t open = (size_t)v->start - 1;  /* the opening quote, kept out: the replacement is quoted */
        const size_t run = open - copied;
        int pair;
        /* The replacement goes after the run, which is copied once it is known to be there. */
        const int written = secstream_mask_cached(tables, line, v, out + w + run, &pair);
        memcpy(out + w, line + copied, run);
        if (written < 0) {
            bytes->count += w + run;
            return k;
        }
        w += run + (size_t)written;
        copied = (size_t)v->end + 1;  /* past the closing quote */
    }
    memcpy(out + w, line + copied, n - copied);
    bytes->count += w + (n - copied);
    return -1;
}

void secstream_bytes_grow(secstream_bytes_t *bytes, size_t more) {
    size_t needed = bytes->count + more, capacity = bytes->capacity * 2;
    if (capacity < needed) capacity = needed;
    if (capacity < 4096) capacity = 4096;
    uint8_t *grown = malloc(capacity);
    if (!grown) abort();
    if (bytes->base) {
        memcpy(grown, bytes->base, bytes->count);
        free(bytes->base);
    }
    bytes->base = grown;
    bytes->capacity = capacity;
}

void secstream_bytes_free(secstream_bytes_t *bytes) {
    free(bytes->base);
    bytes->base = NULL;
    bytes->capacity = 0;
    bytes->count = 0;
}

/* Candidates where the needle's first and last bytes both match, 16
   starts at a time (SSE2), each checked in full: in a short text most
   blocks have none. Reads only the haystack: a block's second load ends at
   its last start plus the needle's length. */
#if defined(__SSE2__)
static inline const uint8_t *check_block(const uint8_t *h, size_t at, unsigned mask, const uint8_t *n, size_t nn) {
    while (mask) {
        const uint8_t *c = h + at + (size_t)__builtin_ctz(mask);
        if (nn <= 2 || memcmp(c + 1, n + 1, nn - 2) == 0) return c;
        mask &= mask - 1;
    }
    return NULL;
}
#endif

const void *secstream_find_bytes(const void *haystack, size_t haystack_count, const void *needle, size_t needle_count) {
    const uint8_t *h = haystack, *n = needle;
    const size_t nn = needle_count;
    if (nn == 0) return haystack;
    if (nn > haystack_count) return NULL;
    const size_t last = haystack_count - nn;  /* the last start */
    size_t i = 0;
#if defined(__SSE2__)
    if (last + 1 >= 16) {
        const __m128i first = _mm_set1_epi8((char)n[0]), final = _mm_set1_epi8((char)n[nn - 1]);
        for (; i + 15 <= last; i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(h + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(h + i + nn - 1));
            unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, final)));
            const uint8_t *hit = check_block(h, i, mask, n, nn);
            if (hit) return hit;
        }
        if (i <= last) {
            /* The rest: one block ending at the last start, its starts before `i` already seen. */
            size_t j = last - 15;
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(h + j));
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(h + j + nn - 1));
            unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, final)));
            return check_block(h, j, mask & (0xFFFFu << (i - j)), n, nn);
        }
        return NULL;
    }
#endif
    for (; i <= last; i++)
        if (h[i] == n[0] && h[i + nn - 1] == n[nn - 1] && memcmp(h + i, n, nn) == 0) return h + i;
    return NULL;
}

/* The mapping a table lies in, kept in the 4 KiB page before the table. */
typedef struct {
    void *base;
    size_t length;
} table_mapping_t;

void *secstream_table_alloc(size_t bytes) {
    const size_t huge = (size_t)2 << 20, page = 4096;
#if defined(__linux__)
    /* Zeroed pages the kernel hands out as they are first touched (no
       memset: it cleared every page up front, twice for a huge page, ~35 ms
       a masker on this VM), 2 MiB aligned past a page for the mapping's record. */
    const size_t length = bytes + huge + page;
    uint8_t *base = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return NULL;
    uint8_t *table = (uint8_t *)(((uintptr_t)base + page + huge - 1) & ~(uintptr_t)(huge - 1));
#if defined(MADV_HUGEPAGE)
    if (bytes >= huge) (void)madvise(table, bytes, MADV_HUGEPAGE); /* a hint: without it the table works as well, slower */
#endif
    table_mapping_t mapping = {base, length};
    memcpy(table - sizeof mapping, &mapping, sizeof mapping);
    return table;
#else
    (void)huge;
    (void)page;
    return calloc(1, bytes);
#endif
}

void secstream_table_free(void *table) {
    if (!table) return;
#if defined(__linux__)
    table_mapping_t mapping;
    memcpy(&mapping, (uint8_t *)table - sizeof mapping, sizeof mapping);
    munmap(mapping.base, mapping.length);
#else
    free(table);
#endif
}
