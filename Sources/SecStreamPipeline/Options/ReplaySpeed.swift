/// How `replay` paces events (`--speed`): `max`, as fast as it can, or a
/// factor of event time (`10` = ten times faster than it happened, `0.5` =
/// half as fast).
///
/// The pacing turns `event time since the first event / factor` into a
/// `UInt64` count of nanoseconds, so a factor must be at least
/// `minimumFactor`: at 1e-300 even a millisecond would overflow it, and at
/// 0.001 seven months of event time already nearly do.
public enum ReplaySpeed: Equatable, Sendable, CustomStringConvertible {
    case max
    case factor(Double)

    /// 0.001: a thousand times slower than real time.
    public static let minimumFactor = 0.001

    public init(parsing text: String) throws {
        if text.lowercased() == "max" {
            self = .max
            return
        }
        guard let factor = Double(text), factor.isFinite, factor > 0 else {
            throw OptionValueError(text, "not a positive factor or 'max'")
        }
        guard factor >= Self.minimumFactor else {
            throw OptionValueError(text, "slower than \(Self.minimumFactor), the slowest pace replay keeps")
        }
        self = .factor(factor)
    }

    /// The factor `ArchiveReplaySource` paces by; nil for `max`.
    public var factor: Double? {
        if case .factor(let f) = self { return f }
        return nil
    }

    public var description: String {
        switch self {
        case .max: return "max"
        case .factor(let f): return f == f.rounded() && abs(f) < 1e15 ? String(Int64(f)) : String(f)
        }
    }
}
