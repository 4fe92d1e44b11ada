import SecStreamCore
/// Whether a byte stream, fed in pieces, is well-formed UTF-8 (RFC 3629: no
/// overlongs, surrogates or values past U+10FFFF) — for lines too large to
/// check in one buffer. A sequence split across pieces is carried over.
struct UTF8StreamValidator {
    private var carry: [UInt8] = []
    private var valid = true

    mutating func feed(_ piece: UnsafeRawBufferPointer) {
        guard valid else { return }
        var bytes = carry
        bytes.append(contentsOf: piece)
        let complete = UTF8StreamValidator.completePrefix(bytes)
        valid = bytes.withUnsafeBytes { UTF8Validation.isWellFormed(UnsafeRawBufferPointer(rebasing: $0[0..<complete])) }
        carry = Array(bytes[complete...])
    }

    /// True when every piece fed, and their end, is well-formed.
    mutating func finish() -> Bool {
        guard valid else { return false }
        return carry.withUnsafeBytes { UTF8Validation.isWellFormed($0) }
    }

    /// The length of `bytes` without a trailing lead byte whose sequence is
    /// cut off (at most 3 bytes are held back; anything else is decided now).
    static func completePrefix(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        var k = 1
        while k <= 3 && k <= n {
            let b = bytes[n - k]
            if b & 0xC0 != 0x80 {
                // A lead byte k from the end: cut it off if its sequence needs more than k bytes.
                let needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                return needed > k ? n - k : n
            }
            k += 1
        }
        return n
    }
}
