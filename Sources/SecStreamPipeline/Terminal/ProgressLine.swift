import Foundation

/// `--progress` / `--quiet`: whether a long run shows its progress line.
public enum ProgressMode: Sendable {
    /// Only when stderr is a terminal (cron logs and CI get the summary alone).
    case auto
    /// `--progress`: even into a pipe or file (a `script` log, a test).
    case always
    /// `--quiet`: never.
    case never

    var enabled: Bool {
        switch self {
        case .auto: return Terminal.stderrIsTerminal
        case .always: return true
        case .never: return false
        }
    }
}

/// What a run counts its work in: the unit of done/total and of the rate.
package enum ProgressUnit: Sendable {
    case bytes, objects, events
}

/// One self-overwriting status line on stderr (`\r`, erase line): done/total,
/// rate, ETA, events and alerts so far. Callers report at chunk or object
/// boundaries, never per event; the line is redrawn at most four times a
/// second. Thread-safe: sources report from their threads, the engine thread
/// adds alerts, and anything about to write to the terminal calls `clear()`.
package final class ProgressLine: @unchecked Sendable {
    package let enabled: Bool
    private let label: String
    private let unit: ProgressUnit
    private let lock = NSLock()
    private let started = DispatchTime.now().uptimeNanoseconds
    private var lastDrawn: UInt64 = 0
    private var shown = false
    private var done: Int64 = 0
    private var total: Int64?
    private var events: Int64?
    private var alerts: Int?
    private var note: String?

    static let interval: UInt64 = 250_000_000

    /// `total`: the work to do, when known (nil: stdin, a followed file).
    package init(_ label: String, unit: ProgressUnit, total: Int64? = nil, mode: ProgressMode) {
        self.label = label; self.unit = unit; self.total = total
        enabled = mode.enabled
    }

    /// A line that never shows (runs that were asked for none).
    package static let off = ProgressLine("", unit: .events, mode: .never)

    package func setTotal(_ total: Int64?) {
        guard enabled else { return }
        lock.lock(); self.total = total; lock.unlock()
    }

    /// Records progress; redraws when the last drawing is a quarter second old.
    /// Nil arguments leave what was reported before.
    package func report(done: Int64? = nil, events: Int64? = nil, alerts: Int? = nil, note: String? = nil) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if let done { self.done = done }
        if let events { self.events = events }
        if let alerts { self.alerts = alerts }
        if let note { self.note = note }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now &- lastDrawn >= Self.interval else { return }
        lastDrawn = now
        shown = true
        FileHandle.standardError.write(Data(("\r\u{1b}[K" + text(now: now)).utf8))
    }

    /// Erases the line (before rows, messages or the summary go to the terminal);
    /// the next report draws it again.
    package func clear() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        guard shown else { return }
        shown = false
        lastDrawn = 0
        FileHandle.standardError.write(Data("\r\u{1b}[K".utf8))
    }

    /// The line's text at `now` (under the lock).
    private func text(now: UInt64) -> String {
        let seconds = max(0.001, Double(now - started) / 1e9)
        let rate = Double(done) / seconds
        var parts: [String] = []
        if let total, total > 0 {
            let percent = min(100, Double(done) * 100 / Double(total))
            parts.append("\(amount(done))/\(amount(total)) (\(String(format: "%.0f", percent))%)")
        } else {
            parts.append(amount(done))
        }
        parts.append(amount(Int64(rate)) + "/s")
        if let total, total > done, rate > 0 {
            parts.append("ETA " + Self.duration(Double(total - done) / rate))
        }
        if let note { parts.append(note) }
        if let events, unit != .events { parts.append("\(events) events") }
        if let alerts { parts.append("\(alerts) alerts") }
        return label + ": " + parts.joined(separator: ", ")
    }

    private func amount(_ n: Int64) -> String {
        switch unit {
        case .bytes: return Self.bytes(n)
        case .objects: return "\(n) objects"
        case .events: return "\(n) events"
        }
    }

    static func bytes(_ n: Int64) -> String {
        let d = Double(n), kib = 1024.0, mib = kib * 1024, gib = mib * 1024
        if d >= gib { return String(format: "%.1f GiB", d / gib) }
        if d >= mib { return String(format: "%.1f MiB", d / mib) }
        if d >= kib { return String(format: "%.1f KiB", d / kib) }
        return "\(n) B"
    }

    /// The inputs' sizes together; nil when one is stdin (`-`) or not a
    /// regular file (a pipe, a device), whose end is not known up front.
    package static func fileSizes(_ paths: [String]) -> Int64? {
        var total: Int64 = 0
        for path in paths {
            var st = stat()
            guard path != "-", stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
            total += Int64(st.st_size)
        }
        return total
    }

    /// `m:ss` or `h:mm:ss`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(min(seconds, 359_999).rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Messages on stderr, one line each.
package enum ArchiveMessages {
    package static func say(_ text: String) {
        FileHandle.standardError.write(Data("secstream: \(text)\n".utf8))
    }
}
