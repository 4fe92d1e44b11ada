#if canImport(Glibc)
import Glibc
#endif

/// The built-in `ipv4` pattern, `\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b`, found
/// without RE2: it runs on nearly every message (any text with a dot), and
/// a call into RE2 (its thread-local state, its lock, its DFA setup) cost
/// more than the search itself. Same leftmost match as RE2 from the same
/// start, with RE2's context: `\b` looks at the byte before `start`, word
/// bytes are ASCII `[0-9A-Za-z_]` (a UTF-8 byte is not one). The
/// differential test holds it to RE2 on random texts.
enum DottedQuadFinder {
    @inline(__always)
    private static func isWord(_ b: UInt8) -> Bool {
        b &- 0x30 < 10 || (b | 0x20) &- 0x61 < 26 || b == 0x5F
    }

    @inline(__always)
    private static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    /// The leftmost match at or after `start`, or nil. Every match has a
    /// dot right after its first octet, and that octet is the whole run of
    /// digits before the dot: so only the dots are looked at (`memchr`), in
    /// order, each with the one start it allows. Two dots' starts come in
    /// the dots' order (a run before a dot holds no earlier dot), so the
    /// first that matches is the leftmost match.
    static func find(in text: UnsafeRawBufferPointer, from start: Int) -> Range<Int>? {
        guard let p = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let n = text.count
        let first = max(0, start)
        var d = first &+ 1  // the first dot is one byte past the start at least
        while d < n {
            guard let hit = memchr(p + d, 0x2E, n &- d) else { return nil }
            d = UnsafeRawPointer(hit) - UnsafeRawPointer(p)
            // The run of digits before the dot, from `first` on (up to four: a fourth fails).
            var s = d
            while s > first && d &- s < 4 && isDigit(p[s &- 1]) { s &-= 1 }
            let digits = d &- s
            // `\b` before the start: the text's start, or a byte that is not a word byte.
            if digits >= 1 && digits <= 3 && (s == 0 || !isWord(p[s &- 1])), let end = match(p, n, at: s) {
                return s..<end
            }
            d &+= 1
        }
        return nil
    }

    /// The end of the match starting at `s`, or nil. Greedy `{1,3}` with
    /// backtracking reduces to: each of the first three octets is its whole
    /// run of digits (1 to 3) followed by a dot; the last is its whole run
    /// (1 to 3) followed by a non-word byte or the end (a shorter prefix of a
    /// longer run is followed by a digit, never a boundary).
    @inline(__always)
    private static func match(_ p: UnsafePointer<UInt8>, _ n: Int, at s: Int) -> Int? {
        var i = s
        for part in 0..<4 {
            let first = i
            while i < n && isDigit(p[i]) && i &- first < 4 { i &+= 1 }
            let digits = i &- first
            guard digits >= 1 && digits <= 3 else { return nil }
            if i < n && isDigit(p[i]) { return nil }  // a fourth digit
            if part < 3 {
                guard i < n && p[i] == 0x2E else { return nil }
                i &+= 1
            } else {
                guard i == n || !isWord(p[i]) else { return nil }
            }
        }
        return i
    }
}
