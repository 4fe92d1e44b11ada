/// What a tracking scan (`FieldScanner.scan(_:into:shape:)`) noticed about a
/// line beyond its fields: the cases in which the wanted fields' slots do not
/// say where every occurrence of them is, or in which rewriting the line
/// means more than replacing those values. The archive masker splices its
/// masked values into the slots' ranges only when none is set; otherwise it
/// walks the line (`EventMasker.maskScanned`).
public struct LineShape: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Whitespace outside strings (a rewrite drops it where it walks).
    public static let whitespace = LineShape(rawValue: 1)
    /// A key with an escape, a control character or a non-ASCII byte (it may
    /// spell a wanted path in another way than its bytes).
    public static let unusualKey = LineShape(rawValue: 2)
    /// A wanted field that occurs more than once (the slot holds the last).
    public static let repeatedField = LineShape(rawValue: 4)
    /// An array under a key below which wanted paths continue: its elements
    /// may hold wanted fields, which the scanner does not address by path.
    public static let arrayOnPath = LineShape(rawValue: 8)
}

/// Whether a scan records a `LineShape` (a type parameter, so the plain
/// scan's loop carries none of the tracking).
protocol ScanShapeTracking {
    static var tracks: Bool { get }
}

enum UntrackedScan: ScanShapeTracking { static var tracks: Bool { false } }
enum TrackedScan: ScanShapeTracking { static var tracks: Bool { true } }
