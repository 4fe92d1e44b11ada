import Foundation

/// SIGINT/SIGTERM as a flag that a following source (Kafka, followed files)
/// checks between reads, so a `--follow` run ends cleanly: the open windows
/// close (or, in a consumer group, are checkpointed), sinks are flushed and
/// the summary is printed.
package enum StopSignal {
    private static var sources: [DispatchSourceSignal] = []
    private static let flag = NSLock()
    private static var raised = false

    /// Idempotent: a second call keeps the handlers of the first.
    package static func install() {
        flag.lock()
        defer { flag.unlock() }
        guard sources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                flag.lock(); raised = true; flag.unlock()
            }
            source.resume()
            sources.append(source)
        }
    }

    package static var isRaised: Bool {
        flag.lock()
        defer { flag.unlock() }
        return raised
    }
}
