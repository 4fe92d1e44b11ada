import Codecs
import SecStreamCore

/// The engine's alert sink: NDJSON to stdout or a file, one line per alert.
final class AlertWriter: AlertSink {
    private let sink: ByteSink
    private var line: [UInt8] = []
    private(set) var written = 0
    /// The first write error; the engine's callback cannot throw, so the
    /// runner checks this after each chunk.
    private(set) var error: Error?

    /// Alerts the gate rejects are not written (Kafka restarts: already
    /// written before the crash or by the partition's previous owner).
    var gate: ((Alert) -> Bool)?
    private(set) var suppressed = 0

    init(uri: String) throws {
        sink = try openSink(uri)
    }

    /// Writes to an already open sink (e.g. a file opened for appending).
    init(sink: ByteSink) {
        self.sink = sink
    }

    func emit(_ alert: Alert) {
        guard error == nil else { return }
        if let gate, !gate(alert) {
            suppressed += 1
            return
        }
        line.removeAll(keepingCapacity: true)
        AlertEncoder.encode(alert, into: &line)
        do {
            try line.withUnsafeBytes { try sink.write($0) }
            written += 1
        } catch {
            self.error = error
        }
    }

    func checkError() throws {
        if let error { throw RunError(.input, "cannot write alerts: \(error)", cause: error) }
    }

    func flush() throws { try sink.flush() }
    func close() throws { try sink.close() }
}
