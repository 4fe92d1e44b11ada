import Kafka

/// A sink that keeps nothing: `train` runs the event pipeline for its window
/// features, and the rules' alerts and dead letters of that run go nowhere.
package final class DiscardLineSink: LineSink {
    package init() {}
    package func write(line: UnsafeRawBufferPointer, key: @autoclosure () -> [UInt8]?, origin: @autoclosure () -> TopicPartition?) throws {}
    package func makeDurable() throws {}
    package func close() throws {}
}
