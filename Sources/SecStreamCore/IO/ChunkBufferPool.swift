import Foundation

/// A fixed-capacity byte buffer that a `LineChunk` owns while it is in use.
public final class ChunkBuffer: @unchecked Sendable {
    public let base: UnsafeMutableRawPointer
    public let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { base.deallocate() }
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
