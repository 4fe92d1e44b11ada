import SecStreamCore
import Foundation

/// `process --ready-file PATH`: a machine-readable account of what a
/// long-running run is ready for, so a supervisor or a test waits for an event
/// instead of sleeping. One JSON object per line, appended (the file is created
/// if missing and never truncated) with one `write` each; flushed, not fsynced.
/// Every line has `"ready"`, one of:
///
/// - `waiting` (`path`): a followed file does not exist yet.
/// - `following` (`path`): a followed file is open, read from its start, and
///   from now on its appends, rotation and truncation are seen (again after
///   each rotation, truncation or reappearance).
/// - `caught-up`: everything read so far went through the engine.
///   Files: `files` lists `{"path","offset"}` (bytes read of the file now at
///   the path); the alerts and dead letters found so far are flushed.
///   Kafka: `topic`, `partitions` lists `{"partition","offset"}` (the next
///   offset to read; every assigned partition is at its end).
///   Written when these positions change, not on every idle look.
/// - `assigned` (`topic`, `group` in a consumer group, `partitions` as a list
///   of numbers, and `resuming` as `{"partition","offset"}`): a Kafka session took its
///   partitions, positioned them and (in a group) saved the first checkpoint
///   of those no checkpoint covered yet.
/// - `checkpoint` (`topic`, `group`, `partitions` as
///   `{"partition","resume","next"}`): a consumer-group checkpoint is durable
///   (alerts made durable, offsets committed, state saved). `resume` is where
///   a restart begins reprocessing, `next` the offset after the last record
///   the checkpoint covers.
///
/// The reporter is handed to the sources (`waiting`, `following`,
/// `assigned`), the pipeline (`caught-up`, from the sources' heartbeats) and
/// the Kafka checkpoint (`checkpoint`); it only writes this file and never
/// reaches into the sinks.
package final class ReadinessReporter {
    let path: String
    private let fd: Int32
    private let lock = NSLock()

    package init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RunError(.usage, "--ready-file \(path): cannot open: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    /// A JSON value of a readiness line.
    package enum Value {
        case string(String)
        case int(Int64)
        case ints([Int64])
        case objects([[(String, Value)]])
    }

    /// Appends `{"ready":event, fields...}` as one line.
    package func report(_ event: String, _ fields: [(String, Value)] = []) throws {
        var out: [UInt8] = []
        Self.appendObject([("ready", .string(event))] + fields, to: &out)
        out.append(0x0a)
        lock.lock()
        defer { lock.unlock() }
        let written = out.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == out.count else {
            let reason = written < 0 ? String(cString: strerror(errno)) : "short write"
            throw RunError(.input, "--ready-file \(path): cannot write: \(reason)")
        }
    }

    private static func appendObject(_ fields: [(String, Value)], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (i, (key, value)) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.string(key, into: &out)
            out.append(UInt8(ascii: ":"))
            switch value {
            case .string(let s): JSONWriter.string(s, into: &out)
            case .int(let n): out.append(contentsOf: Array(String(n).utf8))
            case .ints(let list): out.append(contentsOf: Array(("[" + list.map(String.init).joined(separator: ",") + "]").utf8))
            case .objects(let list):
                out.append(UInt8(ascii: "["))
                for (k, object) in list.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")) }
                    appendObject(object, to: &out)
                }
                out.append(UInt8(ascii: "]"))
            }
        }
        out.append(UInt8(ascii: "}"))
    }
}
