/// The names behind `EventLocation.source`. The pipeline registers each input
/// (file or topic partition) once, off the hot path; workers then copy plain
/// integers into match records and alerts resolve names only when written.
public final class SourceTable {
    public private(set) var sources: [EventSource] = []
    private var index: [EventSource: Int32] = [:]

    public init() {}

    /// The index of `source`, registering it when new.
    public func register(_ source: EventSource) -> Int32 {
        if let i = index[source] { return i }
        let i = Int32(sources.count)
        sources.append(source)
        index[source] = i
        return i
    }

    public func file(_ name: String) -> Int32 { register(.file(name: name)) }

    public func partition(topic: String, partition: Int32) -> Int32 {
        register(.partition(topic: topic, partition: partition))
    }

    /// The named form of a location for an alert sample.
    public func resolve(_ location: EventLocation) -> AlertSample {
        guard location.source >= 0, Int(location.source) < sources.count else {
            return .file(name: "", line: location.position)
        }
        switch sources[Int(location.source)] {
        case .file(let name): return .file(name: name, line: location.position)
        case .partition(let topic, let partition):
            return .partition(topic: topic, partition: partition, offset: location.position)
        }
    }
}
