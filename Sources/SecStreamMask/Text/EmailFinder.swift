#if canImport(Glibc)
import Glibc
#endif

/// The built-in `email` pattern, `[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`,
/// found without RE2 (a call into RE2 cost more than a thousand instructions,
/// twice per message with an address: once to find it, once to find no more).
/// Same leftmost match as RE2 from the same start; the differential test holds
/// it to RE2 on random texts.
///
/// Every match has an `@`, and the local part is the whole run of local bytes
/// before it (back to `start`): so only the `@`s are looked at, in order, and
/// two `@`s' starts come in their order (a local run holds no `@`). After the
/// `@`, the greedy domain run backs off to its last dot that two letters
/// follow, and the letters run as far as they go.
enum EmailFinder {
    @inline(__always)
    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }

    @inline(__always)
    private static func isDomain(_ b: UInt8) -> Bool {
        isLetter(b) || b &- 0x30 < 10 || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
    }

    @inline(__always)
    private static func isLocal(_ b: UInt8) -> Bool {
        isDomain(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "%") || b == UInt8(ascii: "+")
    }

    /// The leftmost match at or after `start`, or nil.
    static func find(in text: UnsafeRawBufferPointer, from start: Int) -> Range<Int>? {
        guard let p = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let n = text.count
        let first = max(0, start)
        var a = first &+ 1  // the local part is one byte at least
        while a < n {
            guard let hit = memchr(p + a, 0x40, n &- a) else { return nil }
            a = UnsafeRawPointer(hit) - UnsafeRawPointer(p)
            defer { a &+= 1 }
            var s = a
            while s > first && isLocal(p[s &- 1]) { s &-= 1 }
            guard s < a else { continue }
            var e = a &+ 1
            while e < n && isDomain(p[e]) { e &+= 1 }
            // The last dot with one domain byte or more before it and two letters after it.
            var k = e &- 1
            while k >= a &+ 2 {
                if p[k] == UInt8(ascii: ".") {
                    var end = k &+ 1
                    while end < e && isLetter(p[end]) { end &+= 1 }
                    if end &- k &- 1 >= 2 { return s..<end }
                }
                k &-= 1
            }
        }
        return nil
    }
}
