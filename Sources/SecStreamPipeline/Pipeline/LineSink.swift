import Codecs
import Kafka

/// Where alerts and dead letters go, one NDJSON record at a time: a byte
/// stream (stdout, a file) or a Kafka topic. Record-oriented sinks use the
/// key and the origin; byte streams never evaluate them.
package protocol LineSink: AnyObject {
    /// `line` is one NDJSON record with its trailing newline. `key` is the
    /// record key (the alert id, a dead letter's location); `origin` is the
    /// input partition an alert belongs to when its input is a Kafka topic.
    func write(line: UnsafeRawBufferPointer, key: @autoclosure () -> [UInt8]?, origin: @autoclosure () -> TopicPartition?) throws
    /// Every record written so far survives a crash of this process: a file
    /// is flushed (and fsynced when it must be), a topic's records are acknowledged.
    func makeDurable() throws
    /// Makes the records durable and releases the destination.
    func close() throws
}
