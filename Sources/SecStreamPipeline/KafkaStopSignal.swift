import Foundation

/// SIGINT/SIGTERM as a flag the Kafka source checks between polls, so a
/// `--follow` run ends cleanly: last checkpoint, commit, LeaveGroup.
enum KafkaStopSignal {
    private static var sources: [DispatchSourceSignal] = []
    private static let flag = NSLock()
    private static var raised = false

    static func install() {
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

    static var isRaised: Bool {
        flag.lock()
        defer { flag.unlock() }
        return raised
    }
}
