import Foundation
import Kafka
import TestSupport

/// The end offset (high watermark) of every partition of `topic`: where a
/// consumer that has read everything ingested so far stands.
func topicEnds(_ broker: TansuBroker, _ topic: String) throws -> [Int32: Int64] {
    let consumer = KafkaConsumer(config: try KafkaConfig(bootstrap: broker.bootstrap),
                                 options: ConsumerOptions(startPosition: .earliest, maxWaitMs: 100))
    defer { consumer.close() }
    let count = try consumer.cluster.partitionCount(topic)
    let partitions = (0..<count).map { TopicPartition(topic, Int32($0)) }
    var all: [TopicPartition: Int64?] = [:]
    for tp in partitions { all[tp] = .some(nil) }
    try consumer.assign(all)
    var out: [Int32: Int64] = [:]
    for (tp, end) in try consumer.listOffsets(partitions, .latest) { out[tp.partition] = end }
    return out
}
