import CMaskSplice

/// The built-in `ipv4` pattern, `\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b`, found
/// without RE2: it runs on nearly every message (any text with a dot), and
/// a call into RE2 (its thread-local state, its lock, its DFA setup) cost
/// more than the search itself. The search is C's
/// (`secstream_find_dotted_quad`, which the free text's C path calls too):
/// same leftmost match as RE2 from the same start, with RE2's context (`\b`
/// looks at the byte before `start`; word bytes are ASCII `[0-9A-Za-z_]`, a
/// UTF-8 byte is not one). The differential test holds it to RE2 on random texts.
enum DottedQuadFinder {
    /// The leftmost match at or after `start`, or nil.
    @inline(__always)
    static func find(in text: UnsafeRawBufferPointer, from start: Int) -> Range<Int>? {
        guard let p = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var s = 0, e = 0
        guard secstream_find_dotted_quad(p, text.count, max(0, start), &s, &e) != 0 else { return nil }
        return s..<e
    }
}
