/// Collects written bytes in memory: archive objects are built here before
/// their single PUT, and tests use it to inspect sink output.
public final class MemorySink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public private(set) var isClosed = false

    public init(reservingCapacity: Int = 0) { bytes.reserveCapacity(reservingCapacity) }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !isClosed else { throw IOError(path: "<memory>", "write after close") }
        self.bytes.append(contentsOf: bytes)
    }

    public func flush() throws {}

    public func close() throws { isClosed = true }

    /// Hands over the collected bytes and empties the sink.
    public func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }
}
