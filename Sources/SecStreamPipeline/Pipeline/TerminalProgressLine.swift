import Foundation

/// One self-overwriting status line on stderr, only when stderr is a terminal
/// (cron logs and CI get the summary line alone), at most ten times a second.
/// Thread-safe: replay updates it from its source thread and clears it from
/// its fetch thread.
final class TerminalProgressLine: @unchecked Sendable {
    private let enabled = isatty(2) != 0
    private let lock = NSLock()
    private var last = DispatchTime.now().uptimeNanoseconds
    private var shown = false

    func update(_ text: @autoclosure () -> String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - last >= 100_000_000 else { return }
        last = now
        shown = true
        FileHandle.standardError.write(Data(("\r\u{1b}[K" + text()).utf8))
    }

    /// Erases the status line (before rows or messages go to the same terminal).
    func clear() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        guard shown else { return }
        shown = false
        FileHandle.standardError.write(Data("\r\u{1b}[K".utf8))
    }
}

/// Messages on stderr, one line each.
package enum ArchiveMessages {
    package static func say(_ text: String) {
        FileHandle.standardError.write(Data("secstream: \(text)\n".utf8))
    }
}
