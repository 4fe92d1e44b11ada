import Kafka
import SecStreamCore
import SecStreamPipeline

/// What every session of one Kafka `process` run shares, built once by
/// `KafkaProcessRunner`: the consumer and its group state, the rules, and the
/// outputs (which outlive the sessions a rebalance starts).
struct KafkaRun {
    let options: ProcessOptions
    let uri: KafkaURI
    let engineOptions: EngineOptions
    let rules: RuleSet
    /// `--geoip`: the databases every session's workers enrich events from.
    let geoip: GeoIPEnricher?
    let sources: SourceTable
    let consumer: KafkaConsumer
    /// The group's state topic (nil without a group: no checkpoints).
    let store: KafkaStateStore?
    let marks: KafkaAlertMarks
    let alerts: AlertWriter
    /// The alerts topic, when alerts go to Kafka: checkpoints note its end offsets.
    let alertsTopic: KafkaRecordSink?
    /// Reads a Kafka alerts topic back for newly assigned partitions.
    let readback: KafkaAlertsReadback?
    let deadLetters: DeadLetterWriter
    /// With a group it joins every checkpoint.
    let archive: KafkaArchiveSink?
    /// `--ready-file`: `assigned`, `checkpoint` and `caught-up` lines.
    let ready: ReadinessReporter?
    let untilIdleMs: Int64?
    let commitIntervalMs: Int64
    /// `--mask`: loaded once, applied by every session's pipeline.
    var masking: PipelineMasking?
}
