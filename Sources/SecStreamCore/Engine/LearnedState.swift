/// What a run's engine has learned, as `secstream baseline build` and
/// `process`/`replay --baseline FILE` save and load it: per baseline rule the
/// groups' window histories, per new_terms rule the groups' terms. Each rule
/// is identified by its id and a fingerprint of its correlation, so a changed
/// rule does not load what an older version learned.
///
/// The file format (version 1, all integers little-endian; docs/windows.md,
/// "Baseline files"):
///
///     magic   8 bytes  "SSLEARN\0"
///     version u32      1
///     rules   u32      count, then per rule:
///       id          u32 length + UTF-8 bytes
///       fingerprint u64
///       kind        u8   1 = new_terms, 2 = baseline
///       new_terms:  first event time i64 (Int64.min: none), groups u32, per group
///                   (least recently seen first): hash u64, first seen i64, last seen i64, terms u32,
///                   per term (least recently seen first): hash u64, last seen i64
///       baseline:   groups u32, per group (least recently scored first): hash u64,
///                   first window i64, last window i64, values u32, per value f32
///                   (windows last − values + 1 ... last)
///     checksum u64     stableHash64 of every byte before it
public struct LearnedState: Equatable {
    public static let version: UInt32 = 1
    static let magic: [UInt8] = Array("SSLEARN\0".utf8)

    public struct NewTermsGroup: Equatable {
        public var hash: UInt64
        /// When the history started to know the group (`new_groups: learn` warm-up).
        public var firstSeen: Int64
        public var lastSeen: Int64
        public var terms: [(hash: UInt64, lastSeen: Int64)]
        public static func == (a: Self, b: Self) -> Bool {
            a.hash == b.hash && a.firstSeen == b.firstSeen && a.lastSeen == b.lastSeen && a.terms.elementsEqual(b.terms, by: { $0 == $1 })
        }
    }

    public enum Payload: Equatable {
        case newTerms(firstTime: Int64?, groups: [NewTermsGroup])
        case baseline(groups: [BaselineGroup])
    }

    public struct BaselineGroup: Equatable {
        public var hash: UInt64
        public var first: Int64
        public var last: Int64
        public var values: [Float]
    }

    public struct Rule: Equatable {
        public var id: String
        public var fingerprint: UInt64
        public var payload: Payload
    }

    public var rules: [Rule] = []

    public init(rules: [Rule] = []) { self.rules = rules }

    /// Why bytes are not a learned-state file.
    public struct FormatError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    // MARK: Encoding

    public func encoded() -> [UInt8] {
        var out = Self.magic
        put32(Self.version, &out)
        put32(UInt32(rules.count), &out)
        for r in rules {
            let id = Array(r.id.utf8)
            put32(UInt32(id.count), &out); out += id
            put64(r.fingerprint, &out)
            switch r.payload {
            case .newTerms(let firstTime, let groups):
                out.append(1)
                put64(UInt64(bitPattern: firstTime ?? .min), &out)
                put32(UInt32(groups.count), &out)
                for g in groups {
                    put64(g.hash, &out); put64(UInt64(bitPattern: g.firstSeen), &out); put64(UInt64(bitPattern: g.lastSeen), &out)
                    put32(UInt32(g.terms.count), &out)
                    for t in g.terms { put64(t.hash, &out); put64(UInt64(bitPattern: t.lastSeen), &out) }
                }
            case .baseline(let groups):
                out.append(2)
                put32(UInt32(groups.count), &out)
                for g in groups {
                    put64(g.hash, &out); put64(UInt64(bitPattern: g.first), &out); put64(UInt64(bitPattern: g.last), &out)
                    put32(UInt32(g.values.count), &out)
                    for v in g.values { put32(v.bitPattern, &out) }
                }
            }
        }
        let sum = out.withUnsafeBytes { stableHash64($0) }
        put64(sum, &out)
        return out
    }

    private func put32(_ v: UInt32, _ out: inout [UInt8]) {
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }

    private func put64(_ v: UInt64, _ out: inout [UInt8]) {
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    // MARK: Decoding

    /// Reads `bytes`; anything but a whole, intact version-1 file is a `FormatError`.
    public init(decoding bytes: [UInt8]) throws {
        guard bytes.count >= Self.magic.count, Array(bytes[0..<Self.magic.count]) == Self.magic else {
            throw FormatError(description: "not a secstream baseline file (no SSLEARN header)")
        }
        guard bytes.count >= Self.magic.count + 4 + 4 + 8 else {
            throw FormatError(description: "truncated (\(bytes.count) bytes)")
        }
        var r = Reader(bytes: bytes, at: Self.magic.count, end: bytes.count - 8)
        let version = try r.u32()
        guard version == Self.version else {
            throw FormatError(description: "version \(version) is not supported (this secstream reads version \(Self.version))")
        }
        let stored = Reader.le64(bytes, bytes.count - 8)
        let actual = bytes.withUnsafeBytes { stableHash64(UnsafeRawBufferPointer(rebasing: $0[0..<(bytes.count - 8)])) }
        guard stored == actual else {
            throw FormatError(description: "checksum mismatch: the file is truncated or corrupt")
        }
        let count = try r.count(minimumBytesEach: 13)
        var rules: [Rule] = []
        for _ in 0..<count {
            let idLength = try r.count(minimumBytesEach: 1)
            guard let id = String(validating: try r.bytes(idLength), as: UTF8.self) else {
                throw FormatError(description: "a rule id is not UTF-8 (at byte \(r.at))")
            }
            let fingerprint = try r.u64()
            switch try r.u8() {
            case 1:
                let first = Int64(bitPattern: try r.u64())
                var groups: [NewTermsGroup] = []
                for _ in 0..<(try r.count(minimumBytesEach: 28)) {
                    let hash = try r.u64(), firstSeen = Int64(bitPattern: try r.u64()), last = Int64(bitPattern: try r.u64())
                    var terms: [(hash: UInt64, lastSeen: Int64)] = []
                    for _ in 0..<(try r.count(minimumBytesEach: 16)) {
                        terms.append((try r.u64(), Int64(bitPattern: try r.u64())))
                    }
                    groups.append(NewTermsGroup(hash: hash, firstSeen: firstSeen, lastSeen: last, terms: terms))
                }
                rules.append(Rule(id: id, fingerprint: fingerprint,
                                  payload: .newTerms(firstTime: first == .min ? nil : first, groups: groups)))
            case 2:
                var groups: [BaselineGroup] = []
                for _ in 0..<(try r.count(minimumBytesEach: 28)) {
                    let hash = try r.u64(), first = Int64(bitPattern: try r.u64()), last = Int64(bitPattern: try r.u64())
                    var values: [Float] = []
                    let n = try r.count(minimumBytesEach: 4)
                    guard first <= last, Int64(n) <= last - first + 1 else {
                        throw FormatError(description: "a baseline group holds \(n) values for windows \(first)...\(last) (at byte \(r.at))")
                    }
                    values.reserveCapacity(n)
                    for _ in 0..<n { values.append(Float(bitPattern: try r.u32())) }
                    groups.append(BaselineGroup(hash: hash, first: first, last: last, values: values))
                }
                rules.append(Rule(id: id, fingerprint: fingerprint, payload: .baseline(groups: groups)))
            case let k:
                throw FormatError(description: "unknown state kind \(k) for rule '\(id)' (at byte \(r.at - 1))")
            }
        }
        guard r.at == r.end else { throw FormatError(description: "\(r.end - r.at) unexpected bytes after the last rule") }
        self.rules = rules
    }

    private struct Reader {
        let bytes: [UInt8]
        var at: Int
        let end: Int

        static func le64(_ b: [UInt8], _ i: Int) -> UInt64 {
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(b[i + k]) << (8 * UInt64(k)) }
            return v
        }

        mutating func need(_ n: Int) throws {
            guard n >= 0, end - at >= n else {
                throw FormatError(description: "truncated: \(n) more bytes expected at byte \(at)")
            }
        }
        mutating func u8() throws -> UInt8 { try need(1); at += 1; return bytes[at - 1] }
        mutating func u32() throws -> UInt32 {
            try need(4)
            var v: UInt32 = 0
            for k in 0..<4 { v |= UInt32(bytes[at + k]) << (8 * UInt32(k)) }
            at += 4
            return v
        }
        mutating func u64() throws -> UInt64 { try need(8); at += 8; return Self.le64(bytes, at - 8) }
        mutating func bytes(_ n: Int) throws -> ArraySlice<UInt8> { try need(n); at += n; return bytes[(at - n)..<at] }
        /// A count whose items take at least `minimumBytesEach`: one the rest of the file cannot hold is refused
        /// before anything is allocated for it.
        mutating func count(minimumBytesEach: Int) throws -> Int {
            let n = Int(try u32())
            guard n <= (end - at) / max(1, minimumBytesEach) else {
                throw FormatError(description: "truncated: a count of \(n) at byte \(at - 4) exceeds the rest of the file")
            }
            return n
        }
    }
}
