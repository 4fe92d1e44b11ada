import Foundation
import Kafka

/// A scripted broker serving one topic whose partitions hold record batches
/// the test built (any codec, any size, corrupt ones too). A fetch at an
/// offset answers with the batch holding it and up to `batchesPerFetch - 1`
/// after it, and the partition's true end as high watermark, so a topic of
/// many batches takes several polls. Partitions are answered in partition
/// order, so a run's fetch sequence depends only on its positions.
public final class BatchedTopic: @unchecked Sendable {
    public struct Batch {
        public var baseOffset: Int64
        public var count: Int
        public var bytes: [UInt8]
    }

    public let topic: String
    /// Per partition, its batches in offset order, contiguous from offset 0.
    public let partitions: [[Batch]]
    public let batchesPerFetch: Int
    /// Answer a fetch that may wait less than 10 ms without any partition
    /// (as Tansu does for a wait of 0): an answer that confirms nothing.
    public var leavesOutPartitionsOfQuickFetches = false
    public private(set) var broker: ScriptedBroker!

    public init(topic: String, partitions: [[Batch]], batchesPerFetch: Int = 2) throws {
        self.topic = topic
        self.partitions = partitions
        self.batchesPerFetch = batchesPerFetch
        broker = try ScriptedBroker { [weak self] api, _, body in
            guard let self else { return nil }
            switch api {
            case .metadata: return self.broker.metadataResponse(topics: [(topic, partitions.count)])
            case .fetch: return self.fetch(body)
            default: return nil
            }
        }
        broker.advertised = ScriptedBroker.defaultAdvertised + [(.fetch, 4, 4)]
    }

    /// `counts[p]` records per batch of partition `p`, the codecs taken in
    /// turn; the value of offset `o` in partition `p` is `value(p, o)`.
    public static func build(counts: [[Int]], codecs: [RecordCompression],
                             value: (Int32, Int64) -> [UInt8]) throws -> [[Batch]] {
        var codec = 0
        return try counts.enumerated().map { p, sizes in
            var offset: Int64 = 0
            return try sizes.map { n in
                var b = RecordBatchBuilder()
                for i in 0..<n { b.append(key: nil, value: value(Int32(p), offset + Int64(i)), headers: [], timestamp: 1_000) }
                let bytes = try b.build(compression: codecs[codec % codecs.count], baseOffset: offset)
                codec += 1
                defer { offset += Int64(n) }
                return Batch(baseOffset: offset, count: n, bytes: bytes)
            }
        }
    }

    /// The offset after the last record of partition `p`.
    public func end(_ p: Int) -> Int64 { partitions[p].last.map { $0.baseOffset + Int64($0.count) } ?? 0 }

    public var bootstrap: String { broker.bootstrap }

    public func stop() { broker.stop() }

    /// The longest wait (ms) of each fetch, in order.
    public var fetchWaits: [Int32] {
        broker.bodies(.fetch).map { b in b[4...7].reduce(Int32(0)) { $0 << 8 | Int32($1) } }
    }

    func fetch(_ body: [UInt8]) -> [UInt8]? {
        if leavesOutPartitionsOfQuickFetches, body[4...7].reduce(Int32(0), { $0 << 8 | Int32($1) }) < 10 {
            return ScriptedBroker.fetchResponse([])
        }
        var answers: [(topic: String, partition: Int32, highWatermark: Int64, records: [UInt8])] = []
        for asked in ScriptedBroker.fetchOffsets(body) {
            let batches = partitions[Int(asked.partition)]
            let first = batches.firstIndex { asked.offset < $0.baseOffset + Int64($0.count) } ?? batches.endIndex
            let records = batches[first..<min(batches.endIndex, first + batchesPerFetch)].flatMap(\.bytes)
            answers.append((asked.topic, asked.partition, end(Int(asked.partition)), records))
        }
        // In partition order, whatever order the request named them in (a
        // consumer's dictionary order): the same fetch sequence every run.
        return ScriptedBroker.fetchResponse(answers.sorted { $0.partition < $1.partition })
    }
}
