/// Bad input of every kind a reader must count and route to the dead-letter
/// destination. None of it is ever part of an attack; where a lenient reader
/// could still extract fields, those fields are benign web traffic.
enum MalformedKind: Int, CaseIterable {
    /// A valid event cut short (a prefix of an object, no closing brace).
    case truncated
    /// Valid JSON that is not an object: `[1,2]`, `"x"`, `42`, `null`, `true`.
    case notAnObject
    /// An object without `@timestamp`.
    case missingTimestamp
    /// An object whose `@timestamp` is not a time.
    case badTimestamp
    /// Bytes that are not UTF-8 inside a string value.
    case invalidUTF8
    /// Random binary bytes (no newline).
    case binaryGarbage
    /// A line longer than 1 MiB (an object without `@timestamp`, so it is
    /// malformed whether or not a reader accepts long lines). Written at most
    /// once per run, as the 20th malformed line.
    case oversized
}

struct MalformedLines {
    static let oversizedBytes = (1 << 20) + 4096
    /// The malformed line that is the oversized one (0-based), if it happens.
    static let oversizedOrdinal = 19

    var rng: Xoshiro256
    private(set) var written = 0

    init(seed: UInt64) { rng = Xoshiro256(seed: seed) }

    /// The kind of the next malformed line: all ordinary kinds in rotation
    /// (so even a few lines cover each), one oversized line when reached.
    mutating func nextKind() -> MalformedKind {
        defer { written += 1 }
        if written == MalformedLines.oversizedOrdinal { return .oversized }
        return MalformedKind(rawValue: written % (MalformedKind.allCases.count - 1))!
    }

    /// Writes one malformed line (with its newline) near event time `time`,
    /// `benign` being a harmless event to derive object-shaped kinds from.
    mutating func write(_ kind: MalformedKind, time: Int64, benign: SyntheticEvent, renderer: inout EventRenderer) {
        let out = renderer.writer.out
        switch kind {
        case .truncated:
            let start = out.count
            renderer.render(benign)
            let full = out.count - start - 1 // without the newline
            out.truncate(to: start + 1 + rng.below(full - 2))
            out.byte(UInt8(ascii: "\n"))
        case .notAnObject:
            let forms: [StaticString] = ["[1,2]", "\"x\"", "42", "null", "true", "[{\"@timestamp\":\"2026-11-20T00:00:00Z\"}]"]
            out.reserve(64)
            out.append(forms[rng.below(forms.count)])
            out.byte(UInt8(ascii: "\n"))
        case .missingTimestamp:
            out.reserve(256)
            out.append("{\"event\":{\"dataset\":\"web\"},\"source\":{\"ip\":\"")
            out.ipv4(benign.sourceIP)
            out.append("\"},\"url\":{\"path\":\"/\"},\"http\":{\"response\":{\"status_code\":200}}}\n")
        case .badTimestamp:
            let forms: [StaticString] = ["yesterday", "2026-13-45T99:99:99Z", "2026-11-20 25:00", "", "NaN"]
            out.reserve(256)
            out.append("{\"@timestamp\":\"")
            out.append(forms[rng.below(forms.count)])
            out.append("\",\"event\":{\"dataset\":\"web\"},\"url\":{\"path\":\"/\"},\"http\":{\"response\":{\"status_code\":200}}}\n")
        case .invalidUTF8:
            out.reserve(256)
            out.append("{\"@timestamp\":\"")
            RFC3339.write(time, to: out)
            out.append("\",\"event\":{\"dataset\":\"web\"},\"url\":{\"path\":\"/caf")
            // A lone continuation byte, an overlong encoding and a byte that is
            // never valid in UTF-8.
            out.byte(0x80); out.byte(0xC0); out.byte(0xAF); out.byte(0xFF)
            out.append("\"},\"http\":{\"response\":{\"status_code\":200}}}\n")
        case .binaryGarbage:
            let n = rng.inRange(16, 200)
            out.reserve(n + 2)
            out.byte(0x00) // never the start of JSON
            for _ in 0..<n {
                var b = UInt8(truncatingIfNeeded: rng.next())
                if b == UInt8(ascii: "\n") { b = 0x0B }
                out.byte(b)
            }
            out.byte(UInt8(ascii: "\n"))
        case .oversized:
            out.reserve(MalformedLines.oversizedBytes + 64)
            out.append("{\"event\":{\"dataset\":\"web\"},\"message\":\"")
            for _ in 0..<(MalformedLines.oversizedBytes / 16) { out.hex(rng.next(), digits: 16) }
            out.append("\"}\n")
        }
    }
}
