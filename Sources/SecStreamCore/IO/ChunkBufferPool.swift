import Foundation

/// A fixed-capacity byte buffer that a `LineChunk` owns while it is in use.
public final class ChunkBuffer: @unchecked Sendable {
    public let base: UnsafeMutableRawPointer
    public let capacity: Int
    /// Per buffered line, the offset of its end (its `\n`, or the end of the
    /// data for an unterminated last line), with `crFlag` set when a `\r`
    /// precedes it. Found once by the reader, while the bytes are still in
    /// cache, so that workers neither split the lines again nor touch each
    /// line's end before scanning it. Kept with the buffer (allocated once); a
    /// raw pointer so that reading it per line costs no reference counting.
    private(set) var lineEnds: UnsafeMutablePointer<UInt32>
    private(set) var lineEndCount = 0
    private var lineEndCapacity = 4096
    static let crFlag: UInt32 = 1 << 31

    init(capacity: Int) {
        precondition(capacity < Int(Self.crFlag), "chunk buffers are indexed with 31 bits")
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 64)
        lineEnds = .allocate(capacity: lineEndCapacity)
    }

    deinit {
        base.deallocate()
        lineEnds.deallocate()
    }

    /// Records the line ends of the first `byteCount` bytes (see `findLineEnds`).
    func splitLines(byteCount: Int) {
        lineEndCount = 0
        var lineStart: Int32 = 0
        findLineEnds(UnsafeRawBufferPointer(start: base, count: byteCount)) { end in
            if lineEndCount == lineEndCapacity {
                let grown = UnsafeMutablePointer<UInt32>.allocate(capacity: lineEndCapacity * 2)
                grown.moveInitialize(from: lineEnds, count: lineEndCount)
                lineEnds.deallocate()
                lineEnds = grown
                lineEndCapacity *= 2
            }
            let cr = end > lineStart && base.load(fromByteOffset: Int(end) - 1, as: UInt8.self) == 0x0d
            lineEnds[lineEndCount] = UInt32(end) | (cr ? Self.crFlag : 0)
            lineEndCount += 1
            lineStart = end + 1
        }
    }

    /// Line `k`: where its content ends (before its `\r\n` or `\n`) and where the next line starts.
    @inline(__always)
    static func decodeLineEnd(_ entry: UInt32) -> (contentEnd: Int, next: Int) {
        let end = Int(entry & ~crFlag)
        return (end - Int(entry >> 31), end + 1)
    }
}

/// Recycles chunk buffers so that a steady stream of chunks allocates nothing:
/// a chunk returns its buffer here when the last worker lets go of it.
/// Chunks are released on worker threads, hence the lock (taken once per chunk).
public final class ChunkBufferPool: @unchecked Sendable {
    public let bufferCapacity: Int
    private let maxFree: Int
    private var free: [ChunkBuffer] = []
    private let lock = NSLock()

    public init(bufferCapacity: Int, maxFree: Int = 8) {
        self.bufferCapacity = bufferCapacity
        self.maxFree = maxFree
    }

    func take() -> ChunkBuffer {
        lock.lock()
        let recycled = free.popLast()
        lock.unlock()
        return recycled ?? ChunkBuffer(capacity: bufferCapacity)
    }

    func recycle(_ buffer: ChunkBuffer) {
        lock.lock()
        defer { lock.unlock() }
        if free.count < maxFree { free.append(buffer) }
    }

    /// Buffers waiting for reuse (for tests and memory accounting).
    public var freeCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return free.count
    }
}
