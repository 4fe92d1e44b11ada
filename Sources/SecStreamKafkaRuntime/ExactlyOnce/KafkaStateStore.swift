import Kafka

/// The group's resume state, kept in a side topic `<group>.secstream-state`
/// (one partition, one record per topic partition; the last record of a key
/// wins). It is created compacted, so the broker keeps the latest state of
/// each key instead of deleting it after the retention time (a group idle for
/// longer than `retention.ms` would otherwise restart from nothing) and the
/// topic does not grow with every checkpoint.
///
/// Why not the OffsetCommit metadata string, where Kafka tools would look for
/// it? Tansu accepts the string and returns it empty, so the state would be
/// silently lost; a topic behaves the same on every broker. The group still
/// commits the resume offsets, so lag monitoring sees the group's progress.
///
/// Order of a checkpoint (`KafkaCheckpoint`): `snapshot`, on the engine thread,
/// makes the alerts and dead letters durable (fsynced, or every record
/// acknowledged by their topic; an alerts topic's end offsets are then noted)
/// and uploads the archive's open objects, then computes the states; `save`, on
/// the polling thread, commits the group offsets first (the broker fences a
/// member that no longer owns the partitions: its checkpoint is skipped and
/// writes no state over the new owner's), then writes the state records here
/// and waits until they are acknowledged (acks=all, idempotent). A crash
/// between the two leaves the committed offsets ahead of the saved state; a new
/// owner seeks to the saved state's resume offsets, so it reprocesses from the
/// older point and the alert marks withhold what was already written.
final class KafkaStateStore {
    let topic: String
    let group: String
    private let config: KafkaConfig
    private var producer: KafkaProducer?

    init(group: String, config: KafkaConfig) {
        self.group = group
        topic = "\(group).secstream-state"
        self.config = config
    }

    /// Topic configs of the side topic: a key -> latest state log.
    static let topicConfigs = ["cleanup.policy": "compact"]

    /// Creates the side topic (compacted) when missing.
    func prepare() throws {
        let admin = KafkaAdmin(config: config)
        defer { admin.close() }
        try admin.createTopic(name: topic, partitions: 1, replicationFactor: 1, configs: Self.topicConfigs)
    }

    /// Reads the whole side topic and returns the last state of each partition of `dataTopic`.
    func load(dataTopic: String) throws -> [Int32: KafkaPartitionState] {
        let consumer = KafkaConsumer(config: config, options: ConsumerOptions(startPosition: .earliest, maxWaitMs: 100))
        defer { consumer.close() }
        let tp = TopicPartition(topic, 0)
        let end = try consumer.listOffsets([tp], .latest)[tp] ?? 0
        var out: [Int32: KafkaPartitionState] = [:]
        guard end > 0 else { return out }
        try consumer.assign([tp: nil])
        let prefix = Array("\(dataTopic)/".utf8)
        while (consumer.position(tp) ?? 0) < end {
            for batch in try consumer.poll(timeoutMs: 200) {
                for record in batch.records {
                    guard let key = record.key, key.starts(with: prefix),
                          let partition = Int32(String(decoding: key.dropFirst(prefix.count), as: UTF8.self)),
                          let value = record.value, let state = KafkaPartitionState(decoding: value) else { continue }
                    out[partition] = state
                }
            }
        }
        return out
    }

    /// Writes the states and waits until the broker acknowledged them.
    func save(_ states: [Int32: KafkaPartitionState], dataTopic: String) throws {
        guard !states.isEmpty else { return }
        if producer == nil { producer = try KafkaProducer(config: config, options: ProducerOptions(lingerMs: 0)) }
        let producer = producer!
        let before = producer.deliveryStats
        for (partition, state) in states.sorted(by: { $0.key < $1.key }) {
            try producer.send(ProducerRecord(topic: topic, key: KafkaPartitionState.key(topic: dataTopic, partition: partition),
                                             value: state.encoded(), partition: 0))
        }
        try producer.flush(timeoutMs: 30_000)
        let after = producer.deliveryStats
        if after.failed > before.failed {
            throw KafkaError.timeout("state records to \(topic) not acknowledged: \(after.failures.last.map { "\($0)" } ?? "")")
        }
    }

    func close() { producer?.close() }
}
