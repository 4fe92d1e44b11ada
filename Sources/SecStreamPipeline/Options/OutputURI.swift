import SecStreamCore

/// Where NDJSON lines go (`--alerts`, `--dead-letter`, `generate --output`,
/// `--truth`): `-` (stdout), a file (a path or `file:///path`; `.gz` and
/// `.lz4` compress) or a topic, `kafka://host:port[,host:port...]/topic[?compression=CODEC]`.
public enum OutputURI: Equatable, Sendable, CustomStringConvertible {
    case stdout
    case file(path: String)
    case kafka(KafkaURI)

    public init(parsing text: String) throws {
        if text == "-" {
            self = .stdout
        } else if KafkaURI.isKafka(text) {
            self = .kafka(try KafkaURI.output(parsing: text))
        } else {
            self = .file(path: try LocalPath.parse(text, expected: "'-', a path, file:///path or kafka://host:port/topic"))
        }
    }

    /// `-`, the path, or the topic's URI, as the string-taking sink openers read it.
    public var description: String {
        switch self {
        case .stdout: return "-"
        case .file(let path): return path
        case .kafka(let uri): return uri.description
        }
    }
}

/// Opens an alerts or dead-letter destination from its parsed URI: stdout, a
/// file (`.gz`/`.lz4` compress) or a Kafka topic.
func openLineSink(_ uri: OutputURI, flag: String, kafka: KafkaClientOptions) throws -> LineSink {
    switch uri {
    case .stdout: return StreamLineSink(sink: try openSink("-"))
    case .file(let path): return StreamLineSink(sink: try openSink(path))
    case .kafka(let topic): return try KafkaRecordSink(uri: topic, flag: flag, options: kafka)
    }
}

extension AlertWriter {
    /// Alerts to `uri` (`--alerts`).
    package convenience init(uri: OutputURI, kafka: KafkaClientOptions) throws {
        self.init(sink: try openLineSink(uri, flag: "--alerts", kafka: kafka))
    }

    /// Alerts where `outputs` says (`--alerts`), as NDJSON or, on stdout, a
    /// table (`--format`, `--color`) whose rule column fits `rules`' titles.
    package convenience init(outputs: OutputsConfiguration, rules: RuleSet, kafka: KafkaClientOptions) throws {
        try self.init(uri: outputs.alerts, kafka: kafka)
        writesToStdout = outputs.alerts == .stdout
        if outputs.alertFormat(stdoutIsTerminal: Terminal.stdoutIsTerminal) == .table {
            let titles = rules.detections.filter(\.emitsAlerts).map(\.meta.title)
                + rules.correlations.filter(\.emitsAlerts).map(\.meta.title)
            table = AlertTable(titles: titles, colored: Terminal.colors(outputs.color))
        }
    }
}
