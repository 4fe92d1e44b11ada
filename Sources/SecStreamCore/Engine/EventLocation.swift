/// Where an event came from, as two integers so a match record stays fixed-size:
/// `source` indexes a `SourceTable` entry (a file, or one Kafka topic partition)
/// and `position` is the 1-based line of that file or the record's offset.
public struct EventLocation: Sendable, Hashable {
    public var source: Int32
    public var position: Int64

    public init(source: Int32, position: Int64) {
        self.source = source
        self.position = position
    }

    public static let unknown = EventLocation(source: -1, position: 0)
}

/// What one `EventLocation.source` names.
public enum EventSource: Sendable, Hashable {
    case file(name: String)
    case partition(topic: String, partition: Int32)
}
