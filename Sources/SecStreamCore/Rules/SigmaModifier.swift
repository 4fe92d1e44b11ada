import Foundation

/// The Sigma value modifiers secstream evaluates (Sigma modifiers appendix).
enum SigmaModifier: String {
    case contains, startswith, endswith, all, cased, exists, neq
    case re, i, m, s
    case cidr
    case gt, gte, lt, lte
    case windash, base64, base64offset, utf16le, utf16be, utf16, wide

    /// Modifiers of the Sigma specification that this engine does not evaluate:
    /// named as such instead of "unknown".
    static let unsupported: Set<String> = ["expand", "fieldref", "minute", "hour", "day", "week", "month", "year"]

    /// Modifiers that turn a value into other literal bytes.
    var isEncoding: Bool {
        switch self {
        case .base64, .base64offset, .utf16le, .utf16be, .utf16, .wide: return true
        default: return false
        }
    }
}

/// Value transformations of string modifiers, applied at compile time.
enum ValueTransform {
    /// `|windash`: every dash-like character that starts a word (`-`, `/`, en
    /// dash, em dash, horizontal bar) may be any of them, in all combinations.
    static func windash(_ value: SigmaString) -> [SigmaString] {
        let dashes: [[UInt8]] = [[0x2D], [0x2F], [0xE2, 0x80, 0x93], [0xE2, 0x80, 0x94], [0xE2, 0x80, 0x95]]
        let t = value.tokens
        // Split the value into fixed pieces and the dash positions between them.
        var pieces: [[SigmaString.Token]] = [[]]
        var i = 0
        while i < t.count {
            var dashLength = 0
            for d in dashes where i + d.count <= t.count {
                if (0..<d.count).allSatisfy({ t[i + $0] == .byte(d[$0]) }) { dashLength = d.count; break }
            }
            let startsWord = i == 0 || !isWordByte(t[i - 1])
            if dashLength > 0, startsWord, i + dashLength < t.count, isWordByte(t[i + dashLength]) {
                pieces.append([])
                i += dashLength
            } else {
                pieces[pieces.count - 1].append(t[i])
                i += 1
            }
        }
        var variants: [[SigmaString.Token]] = [pieces[0]]
        for piece in pieces.dropFirst() {
            var next: [[SigmaString.Token]] = []
            for v in variants {
                for d in dashes { next.append(v + d.map { .byte($0) } + piece) }
            }
            variants = next
        }
        return variants.map { SigmaString(tokens: $0) }
    }

    private static func isWordByte(_ t: SigmaString.Token) -> Bool {
        guard case .byte(let b) = t else { return false }
        return b >= 0x80 || b == UInt8(ascii: "_") || (b &- 48 < 10) || (b | 0x20) &- 97 < 26
    }

    /// `|base64`: the value's Base64 form.
    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        Array(Data(bytes).base64EncodedString().utf8)
    }

    /// `|base64offset`: the three Base64 forms of the value at byte offsets 0, 1
    /// and 2 of an enclosing string, trimmed to the characters that do not depend
    /// on the surrounding bytes.
    static func base64Offsets(_ bytes: [UInt8]) -> [[UInt8]] {
        let leadingTrim = [0, 2, 3]
        let trailingTrim = [0, 3, 2]
        return (0..<3).map { shift in
            let encoded = base64(Array(repeating: UInt8(ascii: " "), count: shift) + bytes)
            let end = encoded.count - trailingTrim[(bytes.count + shift) % 3]
            return Array(encoded[min(leadingTrim[shift], end)..<end])
        }
    }

    /// `|utf16le`, `|utf16be`, `|utf16` (with a byte order mark), `|wide`.
    static func utf16(_ value: SigmaString, bigEndian: Bool, byteOrderMark: Bool) -> SigmaString {
        var out: [SigmaString.Token] = byteOrderMark ? [.byte(0xFF), .byte(0xFE)] : []
        var run: [UInt8] = []
        func flush() {
            for unit in String(decoding: run, as: UTF8.self).utf16 {
                let hi = UInt8(unit >> 8), lo = UInt8(unit & 0xFF)
                out += bigEndian ? [.byte(hi), .byte(lo)] : [.byte(lo), .byte(hi)]
            }
            run.removeAll()
        }
        for t in value.tokens {
            if case .byte(let b) = t { run.append(b) } else { flush(); out.append(t) }
        }
        flush()
        return SigmaString(tokens: out)
    }
}
