import Foundation
import SecStreamCore

/// `--baseline FILE` (`process`, `replay`) and `baseline build -o FILE`: the
/// engine's learned state (`LearnedState`: baselines and new-terms histories)
/// read before the first event and written, whole or not at all, after the
/// run has finished (every window closed and learned) and, with a Kafka
/// consumer group, at every checkpoint (`KafkaCheckpoint`).
package enum LearnedStateFile {
    /// Loads `path` into `engine`. A missing file starts empty (the first run
    /// creates it); anything else that is not an intact baseline file is a
    /// usage error (exit 2) naming the file and what is wrong. Rules whose
    /// saved state came from another version of the rule are said on stderr.
    package static func load(_ path: String, into engine: WindowEngine, flag: String, quiet: Bool = false) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            if !quiet { ArchiveMessages.say("\(flag) \(path): no such file yet; learning from scratch, saved at the end") }
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunError(.usage, "\(flag) \(path): cannot read the file")
        }
        let state: LearnedState
        do { state = try LearnedState(decoding: [UInt8](data)) } catch {
            throw RunError(.usage, "\(flag) \(path): \(error)")
        }
        let report = engine.load(state)
        if !quiet && !report.changed.isEmpty {
            ArchiveMessages.say("\(flag) \(path): rule(s) \(report.changed.joined(separator: ", ")) changed since the file was written; they learn from scratch")
        }
    }

    /// Writes the engine's learned state to `path` atomically: a temporary
    /// file beside it, flushed, then renamed over it.
    package static func save(_ engine: WindowEngine, to path: String, flag: String) throws {
        try write(bytes: engine.learnedState().encoded(), to: path, flag: flag)
    }

    /// Writes encoded learned state to `path` atomically (see `save`).
    package static func write(bytes: [UInt8], to path: String, flag: String) throws {
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw RunError(.input, "\(flag) \(path): cannot write \(temp): \(String(cString: strerror(errno)))")
        }
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                written += n
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        close(fd)
        guard failure == 0, rename(temp, path) == 0 else {
            let why = String(cString: strerror(failure != 0 ? failure : errno))
            unlink(temp)
            throw RunError(.input, "\(flag) \(path): cannot write: \(why)")
        }
    }
}
