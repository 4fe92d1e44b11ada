import SecStreamCore

/// One group's tumbling window, closed by the watermark: its feature vector
/// in the spec's order, ready to score or to train on.
public struct ClosedWindow: Sendable {
    public var group: [UInt8]
    public var start: Int64
    public var end: Int64
    public var features: [Double]
    /// Event times of the window's first and last events.
    public var firstSeen: Int64
    public var lastSeen: Int64
    /// Up to five events of the window, oldest first as they arrived.
    public var samples: [EventLocation]

    public init(group: [UInt8], start: Int64, end: Int64, features: [Double], firstSeen: Int64, lastSeen: Int64,
                samples: [EventLocation]) {
        self.group = group; self.start = start; self.end = end; self.features = features
        self.firstSeen = firstSeen; self.lastSeen = lastSeen; self.samples = samples
    }

    public var groupValue: String { String(decoding: group, as: UTF8.self) }
}
