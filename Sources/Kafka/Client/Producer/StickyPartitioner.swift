/// Chooses each record's partition: the caller's, else the key's murmur2
/// hash (where the Java client would put it), else the topic's sticky
/// partition. Keyless records stay on one partition until its batch is
/// sealed, then move to another at random (KIP-480): they fill whole
/// batches instead of one small batch per partition.
///
/// Not locked: the accumulator keeps it under its own lock, so choosing a
/// partition and appending to its batch happen as one step.
struct StickyPartitioner {
    private var sticky: [String: Int32] = [:]
    /// Partition counts with the (monotonic) time they were fetched, so a
    /// record does not cost a metadata lookup.
    private var counts: [String: (count: Int, at: Int64)] = [:]

    func cachedCount(_ topic: String, now: Int64, maxAgeMs: Int) -> Int? {
        guard let c = counts[topic], now - c.at < Int64(maxAgeMs) else { return nil }
        return c.count
    }

    mutating func remember(count: Int, of topic: String, fetchedAt ms: Int64) {
        counts[topic] = (count, ms)
    }

    mutating func partition(topic: String, key: UnsafeRawBufferPointer?, explicit: Int32?, count: Int) throws -> Int32 {
        if let p = explicit {
            guard p >= 0 && Int(p) < count else {
                throw KafkaError.config("partition \(p) out of range for topic \(topic) with \(count) partitions")
            }
            return p
        }
        if let key { return Partitioner.partition(forKey: key, partitions: count) }
        if let p = sticky[topic] { return p }
        let p = Int32.random(in: 0..<Int32(count))
        sticky[topic] = p
        return p
    }

    /// A keyless topic moves on once its sticky partition's batch is sealed.
    mutating func batchSealed(_ tp: TopicPartition) {
        guard let current = sticky[tp.topic], current == tp.partition,
              let count = counts[tp.topic]?.count, count > 1 else { return }
        var next = Int32.random(in: 0..<Int32(count - 1))
        if next >= current { next += 1 }
        sticky[tp.topic] = next
    }
}
