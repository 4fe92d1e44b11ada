import CMaskSplice

/// The built-in `email` pattern, `[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`,
/// found without RE2 (a call into RE2 cost more than a thousand instructions,
/// twice per message with an address: once to find it, once to find no more).
/// The search is C's (`secstream_find_email`, which the free-text line's C
/// path calls too): only the `@`s are looked at, each with the one local
/// part it allows. Same leftmost match as RE2 from the same start; the
/// differential test holds it to RE2 on random texts.
enum EmailFinder {
    /// The leftmost match at or after `start`, or nil.
    @inline(__always)
    static func find(in text: UnsafeRawBufferPointer, from start: Int) -> Range<Int>? {
        guard let p = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var s = 0, e = 0
        guard secstream_find_email(p, text.count, max(0, start), &s, &e) != 0 else { return nil }
        return s..<e
    }
}
