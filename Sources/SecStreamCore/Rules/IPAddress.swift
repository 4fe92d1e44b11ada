/// A 128-bit IP address parsed from bytes. IPv4 is held as its IPv4-mapped IPv6
/// form (`::ffff:a.b.c.d`), so one CIDR check serves both families and an
/// event's `::ffff:10.1.2.3` falls in `10.0.0.0/8` as it should.
struct IPAddress: Equatable {
    var high: UInt64
    var low: UInt64

    static let v4MappedHigh: UInt64 = 0
    static let v4MappedLowPrefix: UInt64 = 0x0000_FFFF_0000_0000

    /// Parses dotted IPv4 or IPv6 text (with `::`, an embedded IPv4 tail, and
    /// an ignored `%zone`). Nil for anything else.
    @inline(__always)
    static func parse(_ bytes: UnsafeRawBufferPointer) -> IPAddress? {
        var hasColon = false
        for b in bytes where b == UInt8(ascii: ":") { hasColon = true; break }
        if !hasColon {
            guard let v4 = parseV4(bytes, 0, bytes.count) else { return nil }
            return IPAddress(high: v4MappedHigh, low: v4MappedLowPrefix | UInt64(v4))
        }
        return parseV6(bytes)
    }

    static func parse(_ text: String) -> IPAddress? {
        var copy = text
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Four decimal parts 0...255 in `bytes[from..<to]`.
    @inline(__always)
    private static func parseV4(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> UInt32? {
        var value: UInt32 = 0
        var part: UInt32 = 0
        var partDigits = 0
        var parts = 0
        var i = from
        while i < to {
            let c = bytes[i]
            if c &- 48 < 10 {
                part = part * 10 + UInt32(c &- 48)
                partDigits += 1
                if partDigits > 3 || part > 255 { return nil }
            } else if c == UInt8(ascii: ".") {
                guard partDigits > 0, parts < 3 else { return nil }
                value = value << 8 | part
                parts += 1; part = 0; partDigits = 0
            } else {
                return nil
            }
            i += 1
        }
        guard partDigits > 0, parts == 3 else { return nil }
        return value << 8 | part
    }

    private static func parseV6(_ bytes: UnsafeRawBufferPointer) -> IPAddress? {
        var end = bytes.count
        for k in 0..<bytes.count where bytes[k] == UInt8(ascii: "%") { end = k; break }
        // Up to eight 16-bit groups, and where `::` stands for the zero run.
        var groups: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var gapAt = -1
        var i = 0
        if end >= 2, bytes[0] == UInt8(ascii: ":"), bytes[1] == UInt8(ascii: ":") {
            gapAt = 0; i = 2
        } else if end >= 1, bytes[0] == UInt8(ascii: ":") {
            return nil
        }
        return withUnsafeMutableBytes(of: &groups) { raw -> IPAddress? in
            let g = raw.bindMemory(to: UInt16.self)
            while i < end {
                // An embedded IPv4 tail takes the last two groups.
                var j = i
                var isV4Tail = false
                while j < end, bytes[j] != UInt8(ascii: ":") {
                    if bytes[j] == UInt8(ascii: ".") { isV4Tail = true }
                    j += 1
                }
                if isV4Tail {
                    guard j == end, count <= 6, let v4 = parseV4(bytes, i, end) else { return nil }
                    g[count] = UInt16(v4 >> 16); g[count + 1] = UInt16(v4 & 0xFFFF)
                    count += 2
                    i = end
                    break
                }
                let digits = j - i
                guard digits >= 1, digits <= 4, count < 8 else { return nil }
                var v: UInt16 = 0
                for k in i..<j {
                    guard let d = JSONLexing.hexValue(bytes[k]) else { return nil }
                    v = v << 4 | UInt16(d)
                }
                g[count] = v; count += 1
                i = j
                if i < end {
                    // A ':' separator; a second one marks the `::` gap.
                    i += 1
                    if i < end, bytes[i] == UInt8(ascii: ":") {
                        guard gapAt < 0 else { return nil }
                        gapAt = count; i += 1
                    } else if i == end {
                        return nil
                    }
                }
            }
            if gapAt >= 0 {
                guard count < 8 else { return nil }
                let tail = count - gapAt
                let shift = 8 - count
                var k = tail - 1
                while k >= 0 { g[gapAt + shift + k] = g[gapAt + k]; k -= 1 }
                for z in gapAt..<(gapAt + shift) { g[z] = 0 }
            } else if count != 8 {
                return nil
            }
            var high: UInt64 = 0, low: UInt64 = 0
            for k in 0..<4 { high = high << 16 | UInt64(g[k]) }
            for k in 4..<8 { low = low << 16 | UInt64(g[k]) }
            return IPAddress(high: high, low: low)
        }
    }
}

/// A `|cidr` network: `10.0.0.0/8`, `2001:db8::/32`, or a bare address.
struct CIDRBlock: Equatable {
    let network: IPAddress
    let highMask: UInt64
    let lowMask: UInt64

    /// Nil when `text` is not an address with an optional prefix length in range.
    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress.parse(String(parts[0])) else { return nil }
        let isV4 = !parts[0].contains(":")
        let maxPrefix = isV4 ? 32 : 128
        var prefix = maxPrefix
        if parts.count == 2 {
            guard let p = Int(parts[1]), p >= 0, p <= maxPrefix else { return nil }
            prefix = p
        }
        let bits = isV4 ? prefix + 96 : prefix
        highMask = bits >= 64 ? ~0 : (bits == 0 ? 0 : ~UInt64(0) << UInt64(64 - bits))
        lowMask = bits <= 64 ? 0 : ~UInt64(0) << UInt64(128 - bits)
        network = IPAddress(high: address.high & highMask, low: address.low & lowMask)
    }

    @inline(__always)
    func contains(_ a: IPAddress) -> Bool {
        a.high & highMask == network.high && a.low & lowMask == network.low
    }
}
