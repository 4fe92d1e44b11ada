/// Why a line is not a valid JSON object.
public enum MalformedReason: UInt8, Sendable, CustomStringConvertible {
    /// The line is empty or only whitespace.
    case empty
    /// The top-level value is not an object.
    case notAnObject
    /// The line ends inside a value (truncated).
    case unexpectedEnd
    /// A byte that cannot start or continue a JSON token here.
    case invalidToken
    /// An object member does not start with a string key.
    case expectedKey
    /// A key is not followed by `:`.
    case expectedColon
    /// A value is not followed by `,` or the closing bracket.
    case expectedCommaOrClose
    /// Bytes after the top-level object.
    case trailingGarbage
    case invalidUTF8
    /// A raw control character (below 0x20) inside a string.
    case controlCharacter
    case invalidEscape
    case invalidNumber
    /// Containers nested deeper than `FieldScanner.maxDepth`.
    case tooDeep
    /// A line too long for 32-bit slot offsets.
    case tooLong

    public var description: String {
        switch self {
        case .empty: return "empty line"
        case .notAnObject: return "not a JSON object"
        case .unexpectedEnd: return "unexpected end of line (truncated JSON)"
        case .invalidToken: return "invalid JSON token"
        case .expectedKey: return "expected a string key"
        case .expectedColon: return "expected ':' after key"
        case .expectedCommaOrClose: return "expected ',' or closing bracket"
        case .trailingGarbage: return "trailing bytes after the JSON object"
        case .invalidUTF8: return "invalid UTF-8"
        case .controlCharacter: return "control character in string"
        case .invalidEscape: return "invalid escape sequence"
        case .invalidNumber: return "invalid number"
        case .tooDeep: return "nesting too deep"
        case .tooLong: return "line too long"
        }
    }
}

/// Outcome of scanning one line: fine, or why and where (byte offset in the
/// line) it is malformed. A plain value: scanning allocates nothing.
public enum ScanResult: Equatable, Sendable, CustomStringConvertible {
    case ok
    case malformed(MalformedReason, offset: Int)

    public var isOK: Bool { self == .ok }

    public var description: String {
        switch self {
        case .ok: return "ok"
        case .malformed(let reason, let offset): return "\(reason) at byte \(offset)"
        }
    }
}
