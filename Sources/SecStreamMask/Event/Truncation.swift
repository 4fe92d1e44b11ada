/// `truncate`: an IPv4 address to its /24, an IPv6 address to its /48, an
/// RFC 3339 time to its minute (`2026-12-04T17:45:12.5Z` → `2026-12-04T17:45:00Z`,
/// the zone kept). nil for anything else (the caller redacts it).
enum Truncation {
    static func apply(_ value: [UInt8]) -> [UInt8]? {
        let text = String(decoding: value, as: UTF8.self)
        switch IPText.parse(text) {
        case .v4(let v)?: return Array(IPText.format(.v4(v & 0xFFFF_FF00)).utf8)
        case .v6(let v)?: return Array(IPText.format(.v6(IPv6Bits(high: v.high & 0xFFFF_FFFF_FFFF_0000, low: 0))).utf8)
        case nil: break
        }
        // YYYY-MM-DDTHH:MM[:SS[.frac]][zone]
        guard value.count >= 16, value[4] == UInt8(ascii: "-"), value[7] == UInt8(ascii: "-"),
              value[10] == UInt8(ascii: "T") || value[10] == UInt8(ascii: " "), value[13] == UInt8(ascii: ":"),
              value[0..<4].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var zone = 16
        if zone < value.count, value[zone] == UInt8(ascii: ":") { zone += 3 }
        if zone < value.count, value[zone] == UInt8(ascii: ".") {
            zone += 1
            while zone < value.count, value[zone] >= 0x30 && value[zone] <= 0x39 { zone += 1 }
        }
        guard zone <= value.count else { return nil }
        return Array(value[0..<16]) + Array(":00".utf8) + Array(value[zone...])
    }
}
