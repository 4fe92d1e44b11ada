import Foundation

/// A fixed-capacity byte buffer that a `LineChunk` owns while it is in use.
public final class ChunkBuffer: @unchecked Sendable {
    public let base: UnsafeMutableRawPointer
    public let capacity: Int
    /// Offset of each buffered line's end (its `\n`, or the end of the data for
    /// an unterminated last line), found once by the reader so that workers do
    /// not split the lines again. Kept with the buffer so it is allocated once;
    /// a raw pointer so that reading it per line costs no reference counting.
    private(set) var lineEnds: UnsafeMutablePointer<Int32>
    private(set) var lineEndCount = 0
    private var lineEndCapacity = 4096

    init(capacity: Int) {
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
        findLineEnds(UnsafeRawBufferPointer(start: base, count: byteCount)) { end in
            if lineEndCount == lineEndCapacity {
                let grown = UnsafeMutablePointer<Int32>.allocate(capacity: lineEndCapacity * 2)
                grown.moveInitialize(from: lineEnds, count: lineEndCount)
                lineEnds.deallocate()
                lineEnds = grown
                lineEndCapacity *= 2
            }
            lineEnds[lineEndCount] = end
            lineEndCount += 1
        }
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
