import Foundation

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

/// The names behind `EventLocation.source`. The pipeline registers each input
/// (file or topic partition) once, off the hot path; workers then copy plain
/// integers into match records and alerts resolve names only when written.
///
/// Thread-safe: a source thread may register a newly assigned partition while
/// the engine thread resolves locations.
public final class SourceTable: @unchecked Sendable {
    private var entries: [EventSource] = []
    private var index: [EventSource: Int32] = [:]
    private let lock = NSLock()

    public init() {}

    public var sources: [EventSource] { lock.withLock { entries } }

    /// The index of `source`, registering it when new.
    public func register(_ source: EventSource) -> Int32 {
        lock.withLock {
            if let i = index[source] { return i }
            let i = Int32(entries.count)
            entries.append(source)
            index[source] = i
            return i
        }
    }

    public func file(_ name: String) -> Int32 { register(.file(name: name)) }

    public func partition(topic: String, partition: Int32) -> Int32 {
        register(.partition(topic: topic, partition: partition))
    }

    /// The named form of a location for an alert sample.
    public func resolve(_ location: EventLocation) -> AlertSample {
        let entry: EventSource? = lock.withLock {
            location.source >= 0 && Int(location.source) < entries.count ? entries[Int(location.source)] : nil
        }
        guard let entry else { return .file(name: "", line: location.position) }
        switch entry {
        case .file(let name): return .file(name: name, line: location.position)
        case .partition(let topic, let partition):
            return .partition(topic: topic, partition: partition, offset: location.position)
        }
    }
}
