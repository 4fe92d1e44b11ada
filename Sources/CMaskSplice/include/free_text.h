#ifndef SECSTREAM_FREE_TEXT_H
#define SECSTREAM_FREE_TEXT_H

/* The usual free text of an archived line, masked in one call (SecStreamMask's
   `EventMasker.maskScanned` for a line with `message: patterns`).

   Why C: a message of the bench (a syslog-like line naming a user and two
   addresses) cost ~2,600 instructions to mask in Swift: the clue pass's
   wrapper, the dotted-quad finder, the table lookups through Swift's
   structs, and the pairs' buffers swapped in and out, each with its checks.
   Here the usual text — one JSON escaping leaves as it is, in which no
   pattern kind but `ipv4` can match — is one clue pass, the quads looked up
   in the IPv4 text table, the recurring masked values replaced, and the
   result written quoted, all in kept buffers, and the line's other values
   come from the tables as the splice's do. Anything else (an e-mail
   address, a card's digits, a byte to escape, a custom regex, a value not
   cached yet) is Swift's, which also enters a new address and calls again. */

#include "mask_splice.h"
#include "text_clues.h"

/* A masked value that recurs in free text (`replaceKnown`): its raw bytes
   and its masked bytes (both unquoted), where they lie. */
typedef struct {
    const uint8_t *raw;
    size_t raw_count;
    const uint8_t *masked;
    size_t masked_count;
} secstream_known_pair_t;

/* What `secstream_mask_free_text_line` did, and for a NEW_* status the
   text to enter (in the line or a scratch buffer: valid until either changes). */
typedef struct {
    int32_t status;
    int32_t found_count;
    const uint8_t *found;
    int32_t value; /* NEW_VALUE: the index of the value the tables do not hold */
} secstream_free_text_result_t;

/* The inline value table's tag for e-mail pseudonyms (`email_` and the
   address's HMAC, unquoted): no action's index (a policy with this many
   actions does not take the C path). */
enum { SECSTREAM_EMAIL_TAG = 255 };

enum {
    SECSTREAM_FREE_TEXT_WRITTEN = 0,      /* the masked line is in `out` */
    SECSTREAM_FREE_TEXT_GENERAL = 1,      /* a free text is not the usual one: nothing written, Swift's rules apply */
    SECSTREAM_FREE_TEXT_NEW_ADDRESS = 2,  /* a dotted quad the IPv4 text table does not hold (`found`): nothing written */
    SECSTREAM_FREE_TEXT_NEW_VALUE = 3,    /* a value the tables do not hold (`value`): nothing written */
    SECSTREAM_FREE_TEXT_NEW_EMAIL = 4     /* an e-mail address the inline table does not hold (`found`): nothing written */
};

/* Masks a planned line with free text (`values[0 ..< count]` in line
   order, as `secstream_mask_plan` made them) into `out`, as Swift's
   `maskScannedFreeText` would: first every value but the free texts, from
   the tables, into `value_bytes` (each value that changes recorded as a
   pair in `pairs`, room for `count`; `spans`, room for 2 * `count`); then
   the line in runs, each value's replacement in between, each free text
   quoted with its e-mail addresses replaced by `email_` and their
   pseudonyms (from the inline table, tag SECSTREAM_EMAIL_TAG), then its
   dotted quads by their Crypto-PAn pseudonyms from the IPv4 text table,
   then each pair in turn replaced wherever it occurs in what the
   replacements before left. A policy whose built-in pattern kinds are
   `kinds` (the `SECSTREAM_TEXT_KIND_*` bits); only a free text that JSON
   escaping leaves as it is and in which no kind but `email` and `ipv4` can
   match (nor, after the e-mail pass, `card` or `ipv6`) is masked here. `scratch0` and `scratch1` are kept
   buffers. On any status but WRITTEN `out` is as it was. */
secstream_free_text_result_t secstream_mask_free_text_line(const secstream_mask_tables_t *tables, uint8_t kinds,
                                                           const uint8_t *line, size_t n,
                                                           const secstream_mask_value_t *values, int count,
                                                           secstream_known_pair_t *pairs, int32_t *spans,
                                                           secstream_bytes_t *value_bytes, secstream_bytes_t *scratch0,
                                                           secstream_bytes_t *scratch1, secstream_bytes_t *out);

/* The leftmost match at or after `from` of the built-in `ipv4` pattern,
   `\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b`, with RE2's semantics (SecStreamMask's
   `DottedQuadFinder`): 1 and its range in `*start`, `*end`, or 0. */
int secstream_find_dotted_quad(const uint8_t *text, size_t n, size_t from, size_t *start, size_t *end);

/* The same for the built-in `email` pattern,
   `[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}` (`EmailFinder`). */
int secstream_find_email(const uint8_t *text, size_t n, size_t from, size_t *start, size_t *end);

#endif
