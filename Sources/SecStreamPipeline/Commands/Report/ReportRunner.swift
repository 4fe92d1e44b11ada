import Codecs
import Foundation
import SecStreamCore

/// `secstream report`: reads an alerts file (and, given, the events behind
/// it), and writes one self-contained HTML page (`ReportPage`). A line that
/// is not an alert is an input error naming file:line (exit 3): a report
/// that silently left alerts out would mislead the reader.
public struct ReportRunner {
    public let options: ReportOptions

    public init(options: ReportOptions) { self.options = options }

    public func run() throws {
        try options.validate()
        let alerts = try readAlerts()
        var events: ReportEvents?
        if !options.events.isEmpty {
            var e = ReportEvents()
            let wanted = Set(alerts.flatMap(\.samples))
            for input in options.events { try e.read(input: input, wanted: wanted) }
            events = e
        }
        let page = ReportPage(title: options.title, alertsFile: options.alerts, eventInputs: options.events,
                              alerts: alerts, events: events)
        try write(Array(page.render().utf8))
        FileHandle.standardError.write(Data("secstream: report: \(alerts.count) alerts\(events.map { ", \($0.lines) event lines" } ?? "") -> \(options.output)\n".utf8))
    }

    private func readAlerts() throws -> [ReportAlert] {
        let name = options.alerts == "-" ? "stdin" : options.alerts
        let reader: LineChunkReader
        do { reader = try LineChunkReader(path: options.alerts) } catch { throw RunError(.input, Self.naming(name, error)) }
        var alerts: [ReportAlert] = []
        while true {
            let chunk: LineChunk?
            do { chunk = try reader.next() } catch { throw RunError(.input, Self.naming(name, error)) }
            guard let chunk else { break }
            for line in chunk {
                if line.isOversized { throw RunError(.input, "\(name):\(line.number): line over 1 MiB: not an alert") }
                if line.length == 0 { continue }
                do { alerts.append(try ReportAlert(line: Data(line.bytes))) } catch {
                    throw RunError(.input, "\(name):\(line.number): \(error)")
                }
            }
        }
        return alerts
    }

    /// The error's text led by the input's name, once (codec and I/O errors name it already).
    static func naming(_ name: String, _ error: Error) -> String {
        let text = "\(error)"
        return text.hasPrefix(name + ":") ? text : "\(name): \(text)"
    }

    /// Whole or not at all: a temporary file beside the target, renamed over it.
    private func write(_ bytes: [UInt8]) throws {
        if options.output == "-" {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        let temp = options.output + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temp, contents: Data(bytes)) else {
            throw RunError(.input, "-o \(options.output): cannot write \(temp)")
        }
        guard rename(temp, options.output) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temp)
            throw RunError(.input, "-o \(options.output): cannot write: \(why)")
        }
    }
}
