/// One rule value, after modifiers, tested against one scalar event value.
enum ValueTest {
    enum Comparison { case gt, gte, lt, lte }

    case string(StringPattern)
    /// `|re`, run by RE2 on the value's bytes.
    case regex(SigmaRegex)
    case cidr(CIDRBlock)
    case compare(Comparison, Double)
    /// A plain number (`EventID: 4625`): equal to a JSON number or a numeric string.
    case numberEquals(Double)
    case bool(Bool)
    /// `null`: the field is JSON null (a missing field is decided by `FieldTest`).
    case null

    /// Relative cost, for ordering cheap tests first.
    var cost: Int {
        switch self {
        case .null, .bool: return 1
        case .numberEquals, .compare, .cidr: return 2
        case .string(let p): return p.cost
        case .regex: return 12
        }
    }

    var isNull: Bool { if case .null = self { return true }; return false }

    /// `value` holds the unescaped bytes of a string, or the text of a number,
    /// `true`, `false`, `null`, or an object.
    @inline(__always)
    func matches(_ value: UnsafeRawBufferPointer, _ kind: ValueKind) -> Bool {
        switch self {
        case .string(let pattern):
            switch kind {
            case .string, .escapedString, .number, .trueValue, .falseValue: return pattern.matches(value)
            default: return false
            }
        case .regex(let regex):
            switch kind {
            case .string, .escapedString, .number, .trueValue, .falseValue:
                return regex.matches(value)
            default: return false
            }
        case .cidr(let block):
            guard kind == .string || kind == .escapedString, let address = IPAddress.parse(value) else { return false }
            return block.contains(address)
        case .compare(let op, let bound):
            guard kind == .number || kind == .string || kind == .escapedString, let v = ByteNumber.parse(value) else { return false }
            switch op {
            case .gt: return v > bound
            case .gte: return v >= bound
            case .lt: return v < bound
            case .lte: return v <= bound
            }
        case .numberEquals(let expected):
            guard kind == .number || kind == .string || kind == .escapedString, let v = ByteNumber.parse(value) else { return false }
            return v == expected
        case .bool(let expected):
            switch kind {
            case .trueValue: return expected
            case .falseValue: return !expected
            case .string, .escapedString:
                return ValueTest.equalsIgnoringCase(value, expected ? "true" : "false")
            default: return false
            }
        case .null:
            return kind == .null
        }
    }

    /// ASCII case-insensitive equality with a lower-case literal, without building a String.
    @inline(__always)
    static func equalsIgnoringCase(_ value: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard value.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for k in 0..<value.count where StringPattern.lower(value[k]) != p[k] { return false }
        return true
    }
}
