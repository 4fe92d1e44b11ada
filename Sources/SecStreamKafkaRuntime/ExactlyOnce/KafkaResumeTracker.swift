/// Per partition, the record batches the engine consumed (first offset and
/// largest event time) so that a commit can name the oldest offset the open
/// state still depends on: the first batch holding an event at or after the
/// engine's `oldestRetainedEventTime`. Earlier batches hold only events that
/// are spent, expired or matched nothing, so reprocessing starts after them.
struct KafkaResumeTracker {
    private struct Span {
        var firstOffset: Int64
        var maxTime: Int64
    }

    private var spans: [Int32: [Span]] = [:]
    private var heads: [Int32: Int] = [:]
    /// The next offset after the last consumed record, per partition.
    private(set) var next: [Int32: Int64] = [:]

    /// A consumed batch of `partition` covering `firstOffset..<nextOffset`.
    mutating func consumed(partition: Int32, firstOffset: Int64, nextOffset: Int64, maxTime: Int64) {
        if maxTime != .min { spans[partition, default: []].append(Span(firstOffset: firstOffset, maxTime: maxTime)) }
        next[partition] = max(next[partition] ?? nextOffset, nextOffset)
    }

    /// Starts a partition at `offset` (after a seek) with nothing consumed.
    mutating func start(partition: Int32, at offset: Int64) {
        spans[partition] = []
        heads[partition] = 0
        next[partition] = offset
    }

    /// The resume offset of every tracked partition, given the oldest event
    /// time the engine retains (nil: nothing retained, resume after the last record).
    mutating func resumeOffsets(oldestRetained: Int64?) -> [Int32: Int64] {
        var out: [Int32: Int64] = [:]
        for (partition, nextOffset) in next {
            var list = spans[partition] ?? []
            var head = heads[partition] ?? 0
            if let oldest = oldestRetained {
                while head < list.count && list[head].maxTime < oldest { head += 1 }
            } else {
                head = list.count
            }
            // Compact now and then so the array does not grow without bound.
            if head > 1024 && head * 2 > list.count { list.removeFirst(head); head = 0 }
            spans[partition] = list
            heads[partition] = head
            out[partition] = head < list.count ? list[head].firstOffset : nextOffset
        }
        return out
    }
}
