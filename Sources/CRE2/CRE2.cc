#include "CRE2.h"

#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

struct cre2_regex {
    re2::RE2 re;
    // Sigma's regex flavor is PCRE's (and Python's): without `m`, `$` also
    // matches just before a final "\n". RE2's `$` is only the end of the text,
    // so a value ending in "\n" is searched a second time without it.
    bool dollarBeforeFinalNewline;

    cre2_regex(const re2::StringPiece &pattern, const re2::RE2::Options &options, bool dollar)
        : re(pattern, options), dollarBeforeFinalNewline(dollar) {}
};

// Each rule's regex gets this budget for its compiled program and its lazy
// DFA cache. Sigma patterns compile to a few kilobytes; when the DFA cache
// fills, RE2 flushes it or falls back to its NFA, still linear. RE2's 8 MiB
// default, times hundreds of rules, would be too much.
static const int64_t kMaxMem = 2 << 20;

static void copyTruncated(char *out, size_t capacity, const std::string &s) {
    size_t n = std::min(capacity - 1, s.size());
    std::memcpy(out, s.data(), n);
    out[n] = 0;
}

static re2::RE2::Options optionsFor(int flags) {
    re2::RE2::Options options;
    options.set_log_errors(false);
    options.set_encoding(re2::RE2::Options::EncodingUTF8);
    options.set_case_sensitive(!(flags & CRE2_CASE_INSENSITIVE));
    options.set_dot_nl(flags & CRE2_DOT_ALL);
    options.set_max_mem(kMaxMem);
    return options;
}

// Outside posix_syntax mode RE2 has no multi-line option; the inline flag does it.
static std::string textFor(const char *pattern, size_t length, int flags) {
    std::string text(pattern, length);
    if (flags & CRE2_MULTI_LINE) text = "(?m)" + text;
    return text;
}

extern "C" cre2_regex *cre2_compile(const char *pattern, size_t length, int flags, cre2_error *error) {
    re2::RE2::Options options = optionsFor(flags);
    std::string text = textFor(pattern, length, flags);
    bool multiLine = flags & CRE2_MULTI_LINE;
    bool dollar = !multiLine && std::memchr(pattern, '$', length) != nullptr;

    cre2_regex *regex = new cre2_regex(text, options, dollar);
    if (!regex->re.ok()) {
        if (error) {
            error->code = regex->re.error_code();
            copyTruncated(error->message, sizeof error->message, regex->re.error());
            copyTruncated(error->argument, sizeof error->argument, regex->re.error_arg());
        }
        delete regex;
        return nullptr;
    }
    if (error) {
        error->code = 0;
        error->message[0] = 0;
        error->argument[0] = 0;
    }
    return regex;
}

static bool search(const cre2_regex *regex, const char *bytes, size_t length) {
    // RE2 takes a null pointer with length 0 as the empty string.
    re2::StringPiece input(length ? bytes : "", length);
    if (re2::RE2::PartialMatch(input, regex->re)) return true;
    if (regex->dollarBeforeFinalNewline && length > 0 && bytes[length - 1] == '\n') {
        return re2::RE2::PartialMatch(re2::StringPiece(bytes, length - 1), regex->re);
    }
    return false;
}

// The length of the well-formed UTF-8 sequence at `p`, or 0 and in
// `*invalid` the length of its maximal ill-formed subpart (Unicode 3.9,
// table 3-7): the lead byte and the continuation bytes valid so far.
static size_t sequenceLength(const unsigned char *p, size_t n, size_t *invalid) {
    unsigned char b = p[0];
    if (b < 0x80) return 1;
    size_t need;
    unsigned char low = 0x80, high = 0xBF;  // range of the second byte
    if (b >= 0xC2 && b <= 0xDF) need = 1;
    else if (b == 0xE0) { need = 2; low = 0xA0; }
    else if (b >= 0xE1 && b <= 0xEF) { need = 2; if (b == 0xED) high = 0x9F; }
    else if (b == 0xF0) { need = 3; low = 0x90; }
    else if (b >= 0xF1 && b <= 0xF4) { need = 3; if (b == 0xF4) high = 0x8F; }
    else { *invalid = 1; return 0; }
    for (size_t k = 1; k <= need; k++) {
        unsigned char lo = k == 1 ? low : 0x80, hi = k == 1 ? high : 0xBF;
        if (k >= n || p[k] < lo || p[k] > hi) { *invalid = k; return 0; }
    }
    return need + 1;
}

static bool isValidUTF8(const unsigned char *p, size_t n) {
    unsigned char any = 0;
    for (size_t i = 0; i < n; i++) any |= p[i];
    if (any < 0x80) return true;  // ASCII, the common case
    size_t i = 0, invalid;
    while (i < n) {
        size_t k = sequenceLength(p + i, n - i, &invalid);
        if (k == 0) return false;
        i += k;
    }
    return true;
}

// Each maximal ill-formed subpart becomes U+FFFD, as Swift's
// String(decoding:as:) and every other Unicode-conformant decoder do.
static std::string repairedUTF8(const unsigned char *p, size_t n) {
    std::string out;
    out.reserve(n + 8);
    size_t i = 0, invalid;
    while (i < n) {
        size_t k = sequenceLength(p + i, n - i, &invalid);
        if (k) { out.append(reinterpret_cast<const char *>(p + i), k); i += k; }
        else { out.append("\xEF\xBF\xBD"); i += invalid; }
    }
    return out;
}

extern "C" bool cre2_partial_match(const cre2_regex *regex, const void *text, size_t length) {
    const char *bytes = static_cast<const char *>(text);
    if (search(regex, bytes, length)) return true;
    // In UTF-8 mode RE2 steps over an ill-formed byte without matching it:
    // not even `.` does, so a stray byte between `cmd` and `evil` would hide
    // `cmd.*evil`. Searching the value with each bad sequence as one U+FFFD
    // (a character like any other) closes that gap. A match in the raw bytes
    // is one in the repaired text too, so this runs only after a miss.
    const unsigned char *p = static_cast<const unsigned char *>(text);
    if (isValidUTF8(p, length)) return false;
    std::string repaired = repairedUTF8(p, length);
    return search(regex, repaired.data(), repaired.size());
}

extern "C" bool cre2_find(const cre2_regex *regex, const void *text, size_t length, size_t start,
                          size_t *begin, size_t *end) {
    if (start > length) return false;
    const char *bytes = length ? static_cast<const char *>(text) : "";
    re2::StringPiece input(bytes, length);
    re2::StringPiece match;
    if (!regex->re.Match(input, start, length, re2::RE2::UNANCHORED, &match, 1)) return false;
    *begin = static_cast<size_t>(match.data() - bytes);
    *end = *begin + match.size();
    return true;
}

extern "C" void cre2_free(cre2_regex *regex) { delete regex; }

extern "C" size_t cre2_necessary_atoms(const char *pattern, size_t length, int flags, int min_atom_len,
                                       void (*each)(void *, const char *, size_t), void *context) {
    re2::FilteredRE2 filter(min_atom_len);
    int id = 0;
    if (filter.Add(textFor(pattern, length, flags), optionsFor(flags), &id) != re2::RE2::NoError) return 0;
    std::vector<std::string> atoms;
    filter.Compile(&atoms);
    if (atoms.empty()) return 0;
    // The prefilter is a monotone AND/OR tree over the atoms: a set N is
    // necessary when the atoms outside it cannot pass the prefilter.
    auto passes = [&](const std::vector<bool> &present) {
        std::vector<int> matched;
        for (size_t k = 0; k < present.size(); k++) if (present[k]) matched.push_back(static_cast<int>(k));
        std::vector<int> potentials;
        filter.AllPotentials(matched, &potentials);
        return !potentials.empty();
    };
    std::vector<bool> necessary(atoms.size(), true);
    std::vector<bool> outside(atoms.size(), false);
    // An unfiltered pattern passes with no atom at all: nothing is necessary.
    if (passes(outside)) return 0;
    // Drop the shortest atoms first (they occur most often), keeping the set necessary.
    std::vector<size_t> order(atoms.size());
    for (size_t k = 0; k < order.size(); k++) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return atoms[a].size() < atoms[b].size(); });
    for (size_t k : order) {
        outside[k] = true;
        if (passes(outside)) outside[k] = false; else necessary[k] = false;
    }
    size_t count = 0;
    for (size_t k = 0; k < atoms.size(); k++) {
        if (!necessary[k]) continue;
        each(context, atoms[k].data(), atoms[k].size());
        count++;
    }
    return count;
}
