/// One detection match headed for one target (a correlation input or a
/// detection's own alert), as produced by a worker. Fixed-size; the variable
/// parts (group key, distinct value) live in the batch's byte arena.
public struct MatchRecord {
    /// Index of the event's line within the chunk (the engine admits lines in order).
    public var line: Int32
    /// `EnginePlan` target id.
    public var target: Int32
    public var keyStart: Int32
    public var keyLength: Int32
    public var valueStart: Int32
    public var valueLength: Int32
    /// Event time, epoch milliseconds.
    public var time: Int64
    /// The aggregated number for value_sum / value_avg.
    public var number: Double
    /// Hash of the whole event line; tells apart detection alerts of one rule in the same millisecond.
    public var eventHash: UInt64
    public var location: EventLocation
}

/// A batch's arrays while a worker appends to them (`MatchBatch.withAppending`).
public struct MatchBuffers {
    public internal(set) var records: [MatchRecord] = []
    var bytes: [UInt8] = []
}

/// The match records of one chunk of lines: an arena of bytes plus fixed-size
/// records, filled by one worker and consumed by the engine thread. Reuse it
/// with `reset()` so that steady-state processing allocates nothing.
///
/// `@unchecked Sendable`: a batch is handed from its worker to the engine
/// thread and back, never used by two threads at once.
public final class MatchBatch: @unchecked Sendable {
    // `@exclusivity(unchecked)`: one thread at a time uses a batch (its
    // worker, then the engine thread), never through overlapping accesses;
    // the runtime's dynamic check (a thread-local access set) was paid on
    // every line the engine admits. Bounds checks stay on.
    @exclusivity(unchecked) public internal(set) var records: [MatchRecord] = []
    @exclusivity(unchecked) var bytes: [UInt8] = []
    /// Next record the engine has not consumed yet.
    @exclusivity(unchecked) var readIndex = 0

    public init(capacity: Int = 1024) {
        records.reserveCapacity(capacity)
        bytes.reserveCapacity(capacity * 32)
    }

    public var count: Int { records.count }

    public func reset() {
        records.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        readIndex = 0
    }

    /// Lends the record and byte arrays to `body` for appending a whole chunk's
    /// records. They are moved out of the batch for the call and back after it,
    /// so the appends touch a local (statically checked exclusive access), not
    /// a class property that pays a runtime exclusivity check per access.
    @inline(__always)
    public func withAppending<R>(_ body: (inout MatchBuffers) throws -> R) rethrows -> R {
        var buffers = MatchBuffers()
        swap(&buffers.records, &records)
        swap(&buffers.bytes, &bytes)
        defer {
            swap(&buffers.records, &records)
            swap(&buffers.bytes, &bytes)
        }
        return try body(&buffers)
    }

    /// The batch's records and their bytes opened once for a reader that
    /// admits a whole job's lines (`WindowEngine.admission(time:input:line:of:)`
    /// with the view), its read position carried in and out: opening them
    /// per line retained and released the batch and both buffers (three
    /// atomic pairs a matching line, callgrind: ~50 instructions an event).
    @inline(__always)
    public func withRecords<R>(_ body: (inout MatchRecordView) throws -> R) rethrows -> R {
        try records.withUnsafeBufferPointer { records in
            try bytes.withUnsafeBytes { bytes in
                var view = MatchRecordView(records: records, bytes: bytes, next: readIndex)
                defer { readIndex = view.next }
                return try body(&view)
            }
        }
    }

    /// Calls `body` with the key and value bytes of a record.
    @inline(__always)
    func withBytes<R>(of r: MatchRecord, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> R) -> R {
        bytes.withUnsafeBytes { all in
            let key = UnsafeRawBufferPointer(rebasing: all[Int(r.keyStart)..<Int(r.keyStart + r.keyLength)])
            let value = UnsafeRawBufferPointer(rebasing: all[Int(r.valueStart)..<Int(r.valueStart + r.valueLength)])
            return body(key, value)
        }
    }
}

/// A job's match records as one reader walks them in line order
/// (`MatchBatch.withRecords`): valid only inside that call.
public struct MatchRecordView {
    let records: UnsafeBufferPointer<MatchRecord>
    let bytes: UnsafeRawBufferPointer
    /// The first record not yet taken.
    var next: Int

    /// No records (a line that matched nothing).
    static var empty: MatchRecordView {
        MatchRecordView(records: UnsafeBufferPointer(start: nil, count: 0), bytes: UnsafeRawBufferPointer(start: nil, count: 0), next: 0)
    }
}
