import Foundation
import SecStreamCore

/// `process --follow` / `--until-idle` on files: every file is followed like
/// `tail -F` (`FollowedFile`), the files round-robin, one chunk at a time,
/// over those with data, and each file is its own watermark input, as each
/// Kafka partition is, so a quiet file stops holding back the watermark after
/// `--idle-timeout`.
///
/// When every file is at the end of its data the producer sleeps briefly
/// between looks (no busy loop) and sends a heartbeat now and then, so the
/// pipeline moves the idle clock and makes the alerts written since durable
/// (`FileFollowCheckpoint`). The run ends after `--until-idle` without new
/// lines or on SIGINT/SIGTERM; then every file is read to its end, its partial
/// last line included, and the runner closes the windows as at the end of a file.
final class FileFollowSource: LineSource {
    private let files: [FollowedFile]
    private let untilIdleMs: Int64?
    private let shouldStop: () -> Bool
    private let pollMs: Int64 = 50
    private let heartbeatMs: Int64 = 100

    /// The file to look at first (round-robin).
    private var next = 0
    private var ending = false
    private var lastDataMs = monotonicMs()
    private var lastHeartbeatMs: Int64 = 0
    /// The inputs not yet declared to the engine: every file, with the first job.
    private var unopened: [Int]
    /// Inputs that returned data on their last look: a backlog being read
    /// round-robin is slow, not idle.
    private var backlogged = Set<Int>()
    /// `--ready-file`: heartbeats carry the read offsets of every file.
    private let reportsCaughtUp: Bool

    /// Opens the files that exist (a compressed one is a usage error before
    /// anything runs); each file is its own watermark input, declared with the
    /// first job.
    init(paths: [String], sources: SourceTable, untilIdleMs: Int64?, ready: ReadinessReporter?,
         shouldStop: @escaping () -> Bool) throws {
        files = paths.enumerated().map {
            FollowedFile(path: $0.element, input: $0.offset, source: sources.file($0.element), ready: ready)
        }
        reportsCaughtUp = ready != nil
        self.untilIdleMs = untilIdleMs
        self.shouldStop = shouldStop
        for file in files { try file.open() }
        unopened = files.map(\.input)
    }

    func fill(_ job: ScanJob) throws -> SourceYield {
        while true {
            if ending { return try fillFinal(job) }
            if shouldStop() { ending = true; continue }
            if let (file, chunk) = try nextChunk() {
                job.reset(chunk: chunk, source: file.source, input: file.input)
                lastDataMs = monotonicMs()
                return .lines(activity(at: lastDataMs))
            }
            let now = monotonicMs()
            if let idle = untilIdleMs, now - lastDataMs >= idle {
                ending = true
                continue
            }
            if now - lastHeartbeatMs >= heartbeatMs {
                lastHeartbeatMs = now
                job.resetOwned(source: -1, input: -1)
                // No file had data just now: every line read is in a job before this one.
                let caughtUp = reportsCaughtUp
                    ? CaughtUpPositions.files(files.compactMap { file in file.readOffset.map { .init(path: file.path, offset: $0) } })
                    : nil
                return .heartbeat(Heartbeat(activity: activity(at: now), caughtUp: caughtUp))
            }
            usleep(useconds_t(pollMs * 1000))
        }
    }

    private func activity(at now: Int64) -> InputActivity {
        defer { unopened = [] }
        return InputActivity(wallClock: now, opened: unopened, busy: backlogged.sorted())
    }

    /// The next chunk of the first file, from `next` on, that has one.
    private func nextChunk() throws -> (FollowedFile, LineChunk)? {
        for k in 0..<files.count {
            let file = files[(next + k) % files.count]
            let chunk = try file.read()
            if chunk != nil { backlogged.insert(file.input) } else { backlogged.remove(file.input) }
            if let chunk {
                next = (next + k + 1) % files.count
                return (file, chunk)
            }
        }
        return nil
    }

    /// The rest of every file, partial last lines included; `.end` when done.
    private func fillFinal(_ job: ScanJob) throws -> SourceYield {
        for file in files {
            if let chunk = try file.finish() {
                job.reset(chunk: chunk, source: file.source, input: file.input)
                return .lines(activity(at: monotonicMs()))
            }
        }
        return .end
    }
}
