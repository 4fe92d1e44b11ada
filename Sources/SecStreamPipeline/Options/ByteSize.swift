/// A size in bytes as flags take it: `65536`, `64KiB`, `8MiB`, `1GiB` (also
/// `B`, `K`, `KB`, `M`, `MB`, `G`, `GB`, any case; all powers of 1024), or `0`.
/// Whether 0 is allowed, and how large a size may be, is the flag's to say
/// (`OptionRange`): `--max-state 0` means no bound, `--archive-flush-bytes 0` is refused.
public struct ByteSize: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var bytes: Int

    public init(bytes: Int) { self.bytes = bytes }

    public static let zero = ByteSize(bytes: 0)
    public static func kibibytes(_ n: Int) -> ByteSize { ByteSize(bytes: n << 10) }
    public static func mebibytes(_ n: Int) -> ByteSize { ByteSize(bytes: n << 20) }
    public static func gibibytes(_ n: Int) -> ByteSize { ByteSize(bytes: n << 30) }

    private static let multipliers: [String: Int] = [
        "": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
        "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
    ]
    static let examples = "e.g. 65536, 64KiB, 8MiB, 1GiB"

    /// Parses `text`; the error says whether it is malformed, negative or too large.
    public init(parsing text: String) throws {
        if text.hasPrefix("-") { throw OptionValueError(text, "negative: a size is 0 or more (\(Self.examples))") }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let multiplier = Self.multipliers[text.dropFirst(digits.count).lowercased()] else {
            throw OptionValueError(text, "not a size (\(Self.examples))")
        }
        guard let n = Int(digits), n <= Int.max / multiplier else {
            throw OptionValueError(text, "more bytes than a 64-bit count holds")
        }
        bytes = n * multiplier
    }

    /// The shortest exact spelling: `8MiB`, `64KiB`, `1000`.
    public var description: String {
        for (unit, shift) in [("GiB", 30), ("MiB", 20), ("KiB", 10)] where bytes != 0 && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift)\(unit)"
        }
        return "\(bytes)"
    }

    public static func < (a: ByteSize, b: ByteSize) -> Bool { a.bytes < b.bytes }
}
