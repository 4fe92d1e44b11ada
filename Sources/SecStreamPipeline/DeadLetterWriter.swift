import Codecs
import Foundation
import SecStreamCore

/// Malformed and late events: counted by kind, reported (the first few on
/// stderr with their location), and written as NDJSON records to the
/// dead-letter destination so nothing is lost:
/// `{"reason":"malformed","error":"...","source":"f.ndjson","line":7,"raw":"..."}`
/// (`raw_base64` instead of `raw` when the bytes are not UTF-8; an oversized
/// line keeps its length, not its bytes, which the reader never buffered).
final class DeadLetterWriter {
    private let sink: ByteSink?
    private var record: [UInt8] = []
    private(set) var malformed = 0
    private(set) var late = 0
    private var reported = 0
    private let reportLimit = 5

    init(uri: String?) throws {
        sink = try uri.map { try openSink($0) }
    }

    func writeMalformed(_ reason: String, location: String, locationJSON: String, raw: UnsafeRawBufferPointer) throws {
        malformed += 1
        if reported < reportLimit {
            reported += 1
            FileHandle.standardError.write(Data("secstream: \(location): malformed event: \(reason)\n".utf8))
        }
        try write(kind: "malformed", error: reason, locationJSON: locationJSON, raw: raw)
    }

    func writeLate(time: Int64, watermark: Int64, locationJSON: String, raw: UnsafeRawBufferPointer) throws {
        late += 1
        let error = "event time \(EventTime.format(time)) is older than the watermark \(EventTime.format(watermark))"
        try write(kind: "late", error: error, locationJSON: locationJSON, raw: raw)
    }

    private func write(kind: String, error: String, locationJSON: String, raw: UnsafeRawBufferPointer) throws {
        guard let sink else { return }
        record.removeAll(keepingCapacity: true)
        record.append(contentsOf: Array("{\"reason\":\"\(kind)\",\"error\":".utf8))
        JSONText.appendString(error, to: &record)
        record.append(0x2c)
        record.append(contentsOf: Array(locationJSON.utf8))
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
        try record.withUnsafeBytes { try sink.write($0) }
    }

    func close() throws { try sink?.close() }
}
