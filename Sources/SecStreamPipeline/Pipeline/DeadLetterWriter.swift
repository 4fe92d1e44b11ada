import Codecs
import Foundation
import SecStreamCore
import SecStreamMask

/// Malformed, late and future events: counted by kind, reported (the first few on
/// stderr with their location), and written as NDJSON records to the
/// dead-letter destination so nothing is lost:
/// `{"reason":"malformed","error":"...","source":"f.ndjson","line":7,"raw":"..."}`
/// (`raw_base64` instead of `raw` when the bytes are not UTF-8). An oversized
/// line, which the reader never buffered, is streamed from its spool into the
/// record piece by piece, so a 1 GiB line costs no 1 GiB of memory.
///
/// To a Kafka topic, each record is keyed by its location (`file:line`,
/// `topic/partition/offset`): a consumer group that reprocesses records after
/// a crash writes their dead letters again under the same key, so a
/// compacted dead-letter topic keeps one copy, and readers can find a
/// location's record by key.
package final class DeadLetterWriter {
    private let sink: LineSink?
    private var record: [UInt8] = []
    private(set) var malformed = 0
    private(set) var late = 0
    private(set) var future = 0
    private var reported = 0
    private let reportLimit = 5
    /// `--mask`: a late or future event is masked field by field; a malformed
    /// line, which has no fields to go by, gets the policy's free-text patterns.
    package var masker: EventMasker?
    /// Masking is on: a spooled oversized line is recorded without its bytes
    /// (they are streamed past, never whole in memory to be masked).
    package var omitSpooledRaw = false

    /// Dead letters to `uri` (`--dead-letter`), or counted only when nil.
    package init(uri: OutputURI?, kafka: KafkaClientOptions) throws {
        sink = try uri.map { try openLineSink($0, flag: "--dead-letter", kafka: kafka) }
    }

    func writeMalformed(_ reason: String, location: EventLocation, sources: SourceTable,
                        raw: UnsafeRawBufferPointer) throws {
        let where_ = countMalformed(reason, at: location, sources: sources)
        if let masker {
            let masked = masker.maskText(Array(raw))
            return try masked.withUnsafeBytes { try write(kind: "malformed", error: reason, location: where_, raw: $0) }
        }
        try write(kind: "malformed", error: reason, location: where_, raw: raw)
    }

    func writeLate(time: Int64, watermark: Int64, location: EventLocation, sources: SourceTable,
                   raw: UnsafeRawBufferPointer) throws {
        late += 1
        let error = "event time \(EventTime.format(time)) is older than the watermark \(EventTime.format(watermark))"
        try writeEvent(kind: "late", error: error, location: sources.resolve(location), raw: raw)
    }

    /// An event held aside as too far ahead of its input's event time that the
    /// input never caught up with (`--max-future-skew`).
    func writeFuture(time: Int64, frontier: Int64, skewMs: Int64, location: EventLocation, sources: SourceTable,
                     raw: UnsafeRawBufferPointer) throws {
        future += 1
        let where_ = sources.resolve(location)
        if reported < reportLimit {
            reported += 1
            FileHandle.standardError.write(Data("secstream: \(Self.text(where_)): event time \(EventTime.format(time)) is more than --max-future-skew ahead of its input (\(EventTime.format(frontier))); dead-lettered as future\n".utf8))
        }
        let error = "event time \(EventTime.format(time)) is more than \(skewMs / 1000)s ahead of its input's event time \(EventTime.format(frontier))"
        try writeEvent(kind: "future", error: error, location: where_, raw: raw)
    }

    /// Counts a malformed line and reports the first few on stderr; returns its location.
    private func countMalformed(_ reason: String, at location: EventLocation, sources: SourceTable) -> AlertSample {
        malformed += 1
        let where_ = sources.resolve(location)
        if reported < reportLimit {
            reported += 1
            FileHandle.standardError.write(Data("secstream: \(Self.text(where_)): malformed event: \(reason)\n".utf8))
        }
        return where_
    }

    /// A line over the length limit, its bytes read back from the reader's spool.
    /// A byte stream gets the record piece by piece (it may be huge); a
    /// record-oriented sink (Kafka) gets it whole.
    func writeMalformed(_ reason: String, location: EventLocation, sources: SourceTable,
                        spooled spool: OversizedLineSpool, offset: Int64, length: Int) throws {
        let where_ = countMalformed(reason, at: location, sources: sources)
        guard let sink else { return }
        if omitSpooledRaw { return try write(kind: "malformed", error: reason, location: where_, raw: UnsafeRawBufferPointer(start: nil, count: 0)) }
        // Pass 1: is the whole line UTF-8 (then `raw`, else `raw_base64`)?
        var validator = UTF8StreamValidator()
        try spool.read(offset: offset, length: length) { validator.feed($0) }
        let utf8 = validator.finish()
        let stream = sink as? StreamLineSink
        var whole: [UInt8] = []
        func emit(_ bytes: [UInt8]) throws {
            if let stream { try bytes.withUnsafeBytes { try stream.writePiece($0) } } else { whole += bytes }
        }
        func encode(_ piece: UnsafeRawBufferPointer) -> [UInt8] {
            if !utf8 { return Array(Data(piece).base64EncodedString().utf8) }
            var out: [UInt8] = []
            JSONWriter.escaped(piece, into: &out)
            return out
        }
        header(kind: "malformed", error: reason, location: where_)
        record.append(contentsOf: Array((utf8 ? ",\"raw\":\"" : ",\"raw_base64\":\"").utf8))
        try emit(record)
        // Pass 2: the bytes, in pieces cut at character (or 3-byte) boundaries
        // so no piece splits what it escapes or encodes.
        var pending: [UInt8] = []
        try spool.read(offset: offset, length: length) { block in
            pending.append(contentsOf: block)
            let cut = utf8 ? UTF8StreamValidator.completePrefix(pending) : pending.count - pending.count % 3
            try emit(pending.withUnsafeBytes { encode(UnsafeRawBufferPointer(rebasing: $0[0..<cut])) })
            pending.removeFirst(cut)
        }
        try emit(pending.withUnsafeBytes { encode($0) } + [0x22, 0x7d, 0x0a])
        if stream == nil {
            try whole.withUnsafeBytes { try sink.write(line: $0, key: Array(Self.text(where_).utf8), origin: nil) }
        }
    }

    /// `file:line` or `topic/partition/offset`, as error messages name places.
    static func text(_ sample: AlertSample) -> String {
        switch sample {
        case .file(let name, let line): return "\(name):\(line)"
        case .partition(let topic, let partition, let offset): return "\(topic)/\(partition)/\(offset)"
        }
    }

    /// A late or future event: masked by field when a policy applies.
    private func writeEvent(kind: String, error: String, location: AlertSample, raw: UnsafeRawBufferPointer) throws {
        guard let masker, sink != nil else { return try write(kind: kind, error: error, location: location, raw: raw) }
        let masked = masker.maskLine(raw)
        try masked.withUnsafeBytes { try write(kind: kind, error: error, location: location, raw: $0) }
    }

    private func write(kind: String, error: String, location: AlertSample, raw: UnsafeRawBufferPointer) throws {
        guard let sink else { return }
        header(kind: kind, error: error, location: location)
        if raw.count > 0 {
            if UTF8Validation.isWellFormed(raw) {
                record.append(contentsOf: Array(",\"raw\":".utf8))
                JSONWriter.string(raw, into: &record)
            } else {
                record.append(contentsOf: Array(",\"raw_base64\":\"".utf8))
                record.append(contentsOf: Array(Data(raw).base64EncodedString().utf8))
                record.append(0x22)
            }
        }
        record.append(contentsOf: [0x7d, 0x0a])
        try record.withUnsafeBytes { try sink.write(line: $0, key: Array(Self.text(location).utf8), origin: nil) }
    }

    /// `{"reason":..,"error":..,` and the location, into `record`.
    private func header(kind: String, error: String, location: AlertSample) {
        record.removeAll(keepingCapacity: true)
        record.append(contentsOf: Array("{\"reason\":\"\(kind)\",\"error\":".utf8))
        JSONWriter.string(error, into: &record)
        switch location {
        case .file(let name, let line):
            record.append(contentsOf: Array(",\"source\":".utf8))
            JSONWriter.string(name, into: &record)
            record.append(contentsOf: Array(",\"line\":\(line)".utf8))
        case .partition(let topic, let partition, let offset):
            record.append(contentsOf: Array(",\"topic\":".utf8))
            JSONWriter.string(topic, into: &record)
            record.append(contentsOf: Array(",\"partition\":\(partition),\"offset\":\(offset)".utf8))
        }
    }

    package func makeDurable() throws { try sink?.makeDurable() }
    package func close() throws { try sink?.close() }
}
