import Codecs
import Foundation
import SecStreamCore

/// Malformed and late events: counted by kind, reported (the first few on
/// stderr with their location), and written as NDJSON records to the
/// dead-letter destination so nothing is lost:
/// `{"reason":"malformed","error":"...","source":"f.ndjson","line":7,"raw":"..."}`
/// (`raw_base64` instead of `raw` when the bytes are not UTF-8; an oversized
/// line keeps its length, not its bytes, which the reader never buffered).
///
/// To a Kafka topic, each record is keyed by its location (`file:line`,
/// `topic/partition/offset`): a consumer group that reprocesses records after
/// a crash writes their dead letters again under the same key, so a
/// compacted dead-letter topic keeps one copy, and readers can find a
/// location's record by key.
final class DeadLetterWriter {
    private let sink: LineSink?
    private var record: [UInt8] = []
    private(set) var malformed = 0
    private(set) var late = 0
    private var reported = 0
    private let reportLimit = 5

    init(uri: String?, kafka: KafkaClientOptions) throws {
        sink = try uri.map { try openLineSink($0, flag: "--dead-letter", kafka: kafka) }
    }

    func writeMalformed(_ reason: String, location: EventLocation, sources: SourceTable,
                        raw: UnsafeRawBufferPointer) throws {
        malformed += 1
        let where_ = sources.resolve(location)
        if reported < reportLimit {
            reported += 1
            FileHandle.standardError.write(Data("secstream: \(Self.text(where_)): malformed event: \(reason)\n".utf8))
        }
        try write(kind: "malformed", error: reason, location: where_, raw: raw)
    }

    func writeLate(time: Int64, watermark: Int64, location: EventLocation, sources: SourceTable,
                   raw: UnsafeRawBufferPointer) throws {
        late += 1
        let error = "event time \(EventTime.format(time)) is older than the watermark \(EventTime.format(watermark))"
        try write(kind: "late", error: error, location: sources.resolve(location), raw: raw)
    }

    /// `file:line` or `topic/partition/offset`, as error messages name places.
    static func text(_ sample: AlertSample) -> String {
        switch sample {
        case .file(let name, let line): return "\(name):\(line)"
        case .partition(let topic, let partition, let offset): return "\(topic)/\(partition)/\(offset)"
        }
    }

    private func write(kind: String, error: String, location: AlertSample, raw: UnsafeRawBufferPointer) throws {
        guard let sink else { return }
        record.removeAll(keepingCapacity: true)
        record.append(contentsOf: Array("{\"reason\":\"\(kind)\",\"error\":".utf8))
        JSONText.appendString(error, to: &record)
        switch location {
        case .file(let name, let line):
            record.append(contentsOf: Array(",\"source\":".utf8))
            JSONText.appendString(name, to: &record)
            record.append(contentsOf: Array(",\"line\":\(line)".utf8))
        case .partition(let topic, let partition, let offset):
            record.append(contentsOf: Array(",\"topic\":".utf8))
            JSONText.appendString(topic, to: &record)
            record.append(contentsOf: Array(",\"partition\":\(partition),\"offset\":\(offset)".utf8))
        }
        if raw.count > 0 {
            if JSONText.isValidUTF8(raw) {
                record.append(contentsOf: Array(",\"raw\":".utf8))
                JSONText.appendString(raw, to: &record)
            } else {
                record.append(contentsOf: Array(",\"raw_base64\":\"".utf8))
                record.append(contentsOf: Array(Data(raw).base64EncodedString().utf8))
                record.append(0x22)
            }
        }
        record.append(contentsOf: [0x7d, 0x0a])
        try record.withUnsafeBytes { try sink.write(line: $0, key: Array(Self.text(location).utf8), source: nil) }
    }

    func makeDurable() throws { try sink?.makeDurable() }
    func close() throws { try sink?.close() }
}
