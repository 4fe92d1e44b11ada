import Foundation
import Kafka

/// A scripted broker serving one partition (`topic`/0) whose first Fetch
/// answers report a stale high watermark, as Tansu sometimes does: a fetch
/// below `staleEnd` returns the records up to `staleEnd` with high watermark
/// `staleEnd`, although the log holds `values.count` records. Later fetches
/// report the true end. With `dropFirstFetchAtStaleEnd`, the first fetch at
/// `staleEnd` is not answered (the connection closes), so the client sees a
/// poll without records while its position equals the stale high watermark.
public final class StaleWatermarkTopic: @unchecked Sendable {
    public let topic: String
    public let values: [[UInt8]]
    public let staleEnd: Int
    public private(set) var broker: ScriptedBroker!
    private let lock = NSLock()
    private var dropPending: Bool
    private var askedOffsets: [Int64] = []
    /// The offsets fetches asked for, in order (written by the broker's
    /// thread: read under the same lock, as ThreadSanitizer requires).
    public var fetchedAt: [Int64] {
        lock.lock()
        defer { lock.unlock() }
        return askedOffsets
    }

    public init(topic: String, values: [[UInt8]], staleEnd: Int, dropFirstFetchAtStaleEnd: Bool = false) throws {
        self.topic = topic
        self.values = values
        self.staleEnd = staleEnd
        dropPending = dropFirstFetchAtStaleEnd
        // Weak: a request may still arrive on a serving thread after the test let go of the topic.
        broker = try ScriptedBroker { [weak self] api, _, body in
            guard let self else { return nil }
            switch api {
            case .metadata: return self.broker.metadataResponse(topics: [(topic, 1)])
            case .fetch: return self.fetch(body)
            default: return nil
            }
        }
        broker.advertised = ScriptedBroker.defaultAdvertised + [(.fetch, 4, 4)]
    }

    public var bootstrap: String { broker.bootstrap }

    public func stop() { broker.stop() }

    func fetch(_ body: [UInt8]) -> [UInt8]? {
        var answers: [(topic: String, partition: Int32, highWatermark: Int64, records: [UInt8])] = []
        for asked in ScriptedBroker.fetchOffsets(body) {
            let from = Int(asked.offset)
            lock.lock()
            askedOffsets.append(asked.offset)
            let drop = dropPending && from == staleEnd
            if drop { dropPending = false }
            lock.unlock()
            if drop { return nil }
            let end = from < staleEnd ? staleEnd : values.count
            var records: [UInt8] = []
            if from < end {
                var b = RecordBatchBuilder()
                for v in values[from..<end] { b.append(key: nil, value: v, headers: [], timestamp: 1_000) }
                records = (try? b.build(compression: .none, baseOffset: Int64(from))) ?? []
            }
            answers.append((asked.topic, asked.partition, Int64(end), records))
        }
        return ScriptedBroker.fetchResponse(answers)
    }
}
