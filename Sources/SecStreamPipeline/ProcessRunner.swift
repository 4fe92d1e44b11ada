import Codecs
import Foundation
import SecStreamCore

/// `secstream process` over files and stdin: inputs -> parallel scan/match ->
/// the event-time engine -> alert, dead-letter (and archive) sinks.
public final class ProcessRunner {
    public let options: ProcessOptions

    public init(options: ProcessOptions) { self.options = options }

    /// Returns the exit code (0, or 1 with --fail-on-alert and alerts written).
    public func run() throws -> Int32 {
        let latenessMs = try OptionParsing.duration(options.lateness, flag: "--lateness")
        let idleMs = try OptionParsing.duration(options.idleTimeout, flag: "--idle-timeout")
        let rules = try RuleSetFactory.load(options)
        let alerts = try AlertWriter(uri: options.alerts)
        let deadLetters = try DeadLetterWriter(uri: options.deadLetter)
        let sources = SourceTable()
        let engine = WindowEngine(rules: rules, options: EngineOptions(latenessMs: latenessMs, idleTimeoutMs: idleMs),
                                  sources: sources, sink: alerts)
        let context = ScanContext(rules: rules)
        let started = DispatchTime.now()
        var lines = 0, blank = 0, bytes = 0

        for input in options.inputs {
            let name = input == "-" ? "stdin" : input
            let source = sources.file(name)
            let reader: LineChunkReader
            do { reader = try LineChunkReader(source: ByteSourceReader(path: input)) } catch {
                throw RunError(.input, "\(name): \(error)")
            }
            let queue = OrderedWorkQueue<ScanJob>(depth: 6)
            var free: [ScanJob] = []
            let freeLock = NSLock()
            try queue.run(
                produce: {
                    guard let chunk = try reader.next() else { return nil }
                    freeLock.lock()
                    let job = free.popLast() ?? ScanJob(context: context)
                    freeLock.unlock()
                    job.reset(chunk: chunk, source: source)
                    return job
                },
                work: { $0.work() },
                consume: { job in
                    let chunk = job.chunk!
                    bytes += chunk.bytes.count
                    var i = 0
                    for line in chunk {
                        lines += 1
                        switch job.outcomes[i] {
                        case .blank:
                            blank += 1
                        case .malformed(let reason):
                            try deadLetters.writeMalformed(reason, location: "\(name):\(line.number)",
                                                           locationJSON: Self.fileLocation(name, line.number),
                                                           raw: line.bytes)
                        case .event(let time):
                            if !engine.admit(time: time, line: i, of: job.batch) {
                                try deadLetters.writeLate(time: time, watermark: engine.watermark,
                                                          locationJSON: Self.fileLocation(name, line.number),
                                                          raw: line.bytes)
                            }
                        }
                        i += 1
                    }
                    try alerts.checkError()
                    job.chunk = nil
                    freeLock.lock(); free.append(job); freeLock.unlock()
                    return true
                })
        }
        engine.finish()
        try alerts.checkError()
        try alerts.close()
        try deadLetters.close()

        if options.summary {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            let c = engine.counters
            let summary = String(format: "secstream: %d lines (%.1f MB) in %.2fs: %d events, %d malformed, %d late, %d blank; %d matches, %d alerts",
                                 lines, Double(bytes) / 1e6, seconds, c.eventsAdmitted, deadLetters.malformed,
                                 deadLetters.late, blank, c.matches, alerts.written)
            FileHandle.standardError.write(Data((summary + "\n").utf8))
        }
        return options.failOnAlert && alerts.written > 0 ? exitFindings : 0
    }

    static func fileLocation(_ name: String, _ line: Int) -> String {
        var out: [UInt8] = Array("\"source\":".utf8)
        JSONText.appendString(name, to: &out)
        out.append(contentsOf: Array(",\"line\":\(line)".utf8))
        return String(decoding: out, as: UTF8.self)
    }
}
