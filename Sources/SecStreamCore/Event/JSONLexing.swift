/// Byte-level JSON lexing shared by the field scanner and the array walker.
/// Everything works on a pointer and an end index; positions are indices.
enum JSONLexing {
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5c

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let high: UInt64 = 0x8080_8080_8080_8080
    private static let low7: UInt64 = 0x7f7f_7f7f_7f7f_7f7f

    /// High bit set in each byte lane of `w` that needs attention inside a
    /// string: `"`, `\`, a control character (< 0x20) or a non-ASCII byte.
    /// Exact per lane (no carries cross lanes), so the lowest set bit locates
    /// the first such byte.
    @inline(__always)
    static func stringSpecialMask(_ w: UInt64) -> UInt64 {
        // On the low 7 bits of each lane, adding 0x7f sets the lane's high bit
        // exactly when the lane is non-zero, and adding 0x60 exactly when it is
        // >= 0x20; no sum carries into the next lane. Lanes whose own high bit
        // is set (non-ASCII) are special whatever the low bits say.
        let low = w & low7
        let notQuote = (low ^ (ones &* 0x22)) &+ low7
        let notBackslash = (low ^ (ones &* 0x5c)) &+ low7
        let notControl = low &+ (ones &* 0x60)
        return (~(notQuote & notBackslash & notControl) | w) & high
    }

    @inline(__always)
    static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09
    }

    @inline(__always)
    static func skipWhitespace(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        var i = i
        while i < end && p[i] <= 0x20 && isWhitespace(p[i]) { i &+= 1 }
        return i
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    /// The value of a hexadecimal digit (either case), nil for anything else:
    /// `\uXXXX` escapes and IPv6 groups.
    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }

    @inline(__always)
    static func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c | 0x20) &- 0x61 < 6
    }

    /// Scans a string body starting just after its opening quote. Returns the
    /// index of the closing quote; sets `escaped` when a backslash occurs.
    /// On a malformation, sets `error` and returns its offset.
    /// Validates escapes, UTF-8 and the absence of control characters; plain
    /// ASCII is checked eight bytes at a time.
    @inline(__always)
    static func scanString(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                           _ escaped: inout Bool, _ error: inout MalformedReason?) -> Int {
        var i = start
        while true {
            while i &+ 8 <= end {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                let m = stringSpecialMask(w)
                if m != 0 {
                    i &+= m.trailingZeroBitCount >> 3
                    break
                }
                i &+= 8
            }
            guard i < end else {
                error = .unexpectedEnd
                return end
            }
            let c = p[i]
            if c == quote { return i }
            if c == backslash {
                escaped = true
                let e = scanEscape(p, i, end)
                if e < 0 {
                    error = i &+ 1 >= end ? .unexpectedEnd : .invalidEscape
                    return i
                }
                i = e
            } else if c < 0x20 {
                error = .controlCharacter
                return i
            } else if c >= 0x80 {
                let n = utf8SequenceLength(p, i, end)
                if n == 0 {
                    error = .invalidUTF8
                    return i
                }
                i &+= n
            } else {
                i &+= 1  // an ordinary byte in the last (< 8) bytes of the line
            }
        }
    }

    /// Validates the escape at `i` (the backslash); returns the index after it, or -1.
    @inline(__always)
    static func scanEscape(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        guard i &+ 1 < end else { return -1 }
        switch p[i &+ 1] {
        case 0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74:  // " \ / b f n r t
            return i &+ 2
        case 0x75:  // u XXXX
            guard i &+ 6 <= end, isHex(p[i &+ 2]), isHex(p[i &+ 3]), isHex(p[i &+ 4]), isHex(p[i &+ 5]) else {
                return -1
            }
            return i &+ 6
        default:
            return -1
        }
    }

    /// Length of the valid UTF-8 sequence starting with the non-ASCII byte at
    /// `i`, or 0 if invalid (overlong forms, surrogates and values beyond
    /// U+10FFFF are invalid, per RFC 3629).
    @inline(__always)
    static func utf8SequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        let b0 = p[i]
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xbf) -> Bool {
            i &+ k < end && p[i &+ k] >= lo && p[i &+ k] <= hi
        }
        switch b0 {
        case 0xc2...0xdf: return cont(1) ? 2 : 0
        case 0xe0: return cont(1, 0xa0) && cont(2) ? 3 : 0
        case 0xe1...0xec, 0xee, 0xef: return cont(1) && cont(2) ? 3 : 0
        case 0xed: return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0
        case 0xf0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
        case 0xf1...0xf3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xf4: return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }

    /// Scans a number per the JSON grammar; returns the index after it, or -1.
    @inline(__always)
    static func scanNumber(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var i = start
        if p[i] == 0x2d { i &+= 1 }  // -
        guard i < end else { return -1 }
        if p[i] == 0x30 {
            i &+= 1
        } else if isDigit(p[i]) {
            i = skipDigits(p, i &+ 1, end)
        } else {
            return -1
        }
        if i < end && p[i] == 0x2e {  // .
            i &+= 1
            guard i < end && isDigit(p[i]) else { return -1 }
            i = skipDigits(p, i &+ 1, end)
        }
        if i < end && (p[i] | 0x20) == 0x65 {  // e E
            i &+= 1
            if i < end && (p[i] == 0x2b || p[i] == 0x2d) { i &+= 1 }
            guard i < end && isDigit(p[i]) else { return -1 }
            while i < end && isDigit(p[i]) { i &+= 1 }
        }
        return i
    }

    /// Index of the first byte at or after `i` that is not an ASCII digit, or `end`.
    /// Eight bytes at a time where the line has them: the length of a port or
    /// byte count varies event to event, and a byte loop's exit mispredicts.
    @inline(__always)
    static func skipDigits(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var i = start
        while i &+ 8 <= end {
            // Per lane t = byte ^ '0' is a digit's value (< 10) for digits only;
            // adding 0x76 to t's low 7 bits sets the lane's high bit exactly when
            // they are >= 10 (no carry leaves the lane), and t's own high bit
            // marks bytes >= 0x80.
            let t = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) ^ (ones &* 0x30)
            let notDigit = (((t & low7) &+ (ones &* 0x76)) | t) & high
            if notDigit != 0 { return i &+ notDigit.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
        while i < end && isDigit(p[i]) { i &+= 1 }
        return i
    }

    /// Matches `true`, `false` or `null` at `i`; returns the kind and the index after it.
    @inline(__always)
    static func scanLiteral(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> (ValueKind, Int)? {
        if i &+ 4 <= end {
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self)
            if w == 0x6575_7274 { return (.trueValue, i &+ 4) }  // "true" little-endian
            if w == 0x6c6c_756e { return (.null, i &+ 4) }       // "null"
            if w == 0x736c_6166, i &+ 5 <= end, p[i &+ 4] == 0x65 { return (.falseValue, i &+ 5) }  // "false"
        }
        return nil
    }
}
