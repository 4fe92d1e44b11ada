#ifndef CRE2_H
#define CRE2_H

// A small C face on RE2 for Swift: RE2 runs in time linear in the input for
// every pattern it accepts, so a Sigma `|re` written by anyone cannot stall a
// worker (ReDoS). RE2's own API is C++ (std::string, classes), which Swift's
// C importer cannot call; this header is plain C.

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cre2_regex cre2_regex;

enum {
    CRE2_CASE_INSENSITIVE = 1,  // Sigma `|re|i`
    CRE2_MULTI_LINE = 2,        // Sigma `|re|m`: ^ and $ also match at line breaks
    CRE2_DOT_ALL = 4,           // Sigma `|re|s`: . also matches \n
};

// Why a pattern did not compile: RE2's error code (RE2::ErrorCode), its
// message, and the piece of the pattern it blames (e.g. "(?=" or "\\1"),
// truncated to fit.
typedef struct cre2_error {
    int code;
    char message[160];
    char argument[96];
} cre2_error;

// Compiles `pattern` (UTF-8, `length` bytes). Returns NULL and fills `error`
// when RE2 rejects it.
cre2_regex *cre2_compile(const char *pattern, size_t length, int flags, cre2_error *error);

// Unanchored search (RE2::PartialMatch): does the pattern match anywhere in
// the `length` bytes at `text`? Safe to call from several threads at once.
bool cre2_partial_match(const cre2_regex *regex, const void *text, size_t length);

// Leftmost match at or after `start` in the `length` bytes at `text` (the
// masking patterns replace what they find, so they need where, not only
// whether). Writes the match's [begin, end) byte offsets; false when none.
bool cre2_find(const cre2_regex *regex, const void *text, size_t length, size_t start,
               size_t *begin, size_t *end);

void cre2_free(cre2_regex *regex);

// Literals a match needs, from RE2's own prefilter (FilteredRE2, the atoms
// RE2 derives from the parsed pattern, the same `flags` as `cre2_compile`):
// a set of atoms at least one of which occurs, lower-cased, in every text the
// pattern matches, made as small as the prefilter allows (an atom is dropped
// while the rest stay necessary). Atoms shorter than `min_atom_len` are not
// used. Calls `each` once per atom (its bytes are valid during the call) and
// returns how many; 0 when no literal is necessary (e.g. `.*`, `\d+`) or the
// pattern does not compile. Atoms are folded with Unicode case rules: a caller
// matching them with ASCII folding must count a non-ASCII text as a hit.
size_t cre2_necessary_atoms(const char *pattern, size_t length, int flags, int min_atom_len,
                            void (*each)(void *context, const char *atom, size_t atom_length), void *context);

#ifdef __cplusplus
}
#endif

#endif
