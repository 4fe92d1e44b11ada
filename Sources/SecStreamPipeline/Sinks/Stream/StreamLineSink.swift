import Codecs
import Kafka

/// NDJSON lines to a byte stream: stdout or a (possibly compressed) file.
package final class StreamLineSink: LineSink {
    private let sink: ByteSink
    /// The file to fsync in `makeDurable` (a consumer-group run's alerts
    /// file); nil when a flush is all durability means (stdout, dead letters).
    private let syncing: FileSink?

    package init(sink: ByteSink, syncing: FileSink? = nil) {
        self.sink = sink
        self.syncing = syncing
    }

    package func write(line: UnsafeRawBufferPointer, key: @autoclosure () -> [UInt8]?, origin: @autoclosure () -> TopicPartition?) throws {
        try sink.write(line)
    }

    /// Part of a record too large to assemble in memory (an oversized line's dead letter).
    func writePiece(_ bytes: UnsafeRawBufferPointer) throws {
        try sink.write(bytes)
    }

    package func makeDurable() throws {
        try sink.flush()
        try syncing?.sync()
    }

    package func close() throws { try sink.close() }
}
