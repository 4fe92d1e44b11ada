/// JSON type of an extracted value.
public enum ValueKind: UInt8, Sendable {
    case missing = 0
    /// A string without backslash escapes: the slot's bytes are the value.
    case string
    /// A string that contains backslash escapes: unescape before comparing.
    case escapedString
    case number
    case trueValue
    case falseValue
    case null
    case object
    case array
}

/// Where one wanted field's value lies in the line being scanned.
/// For strings the range excludes the quotes; for objects and arrays it covers
/// the brackets. Offsets are relative to the start of the line.
public struct FieldSlot: Sendable {
    public var start: Int32
    public var end: Int32
    public var kind: ValueKind

    public init(start: Int32, end: Int32, kind: ValueKind) {
        self.start = start
        self.end = end
        self.kind = kind
    }

    public static let missing = FieldSlot(start: 0, end: 0, kind: .missing)

    public var isMissing: Bool { kind == .missing }
    public var count: Int { Int(end - start) }
}
