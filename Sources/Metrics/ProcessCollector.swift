import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The standard `process_*` families (the names every Prometheus client
/// library uses, so existing dashboards and alerts apply), read from /proc
/// when the metrics are read: nothing is sampled between scrapes.
public enum ProcessCollector {
    public static func register(in registry: MetricRegistry) {
        registry.addCollector { collect() }
    }

    static func collect() -> [MetricFamilySnapshot] {
        var out: [MetricFamilySnapshot] = []
        func one(_ name: String, _ help: String, _ kind: MetricKind, _ value: Double) {
            out.append(MetricFamilySnapshot(name: name, help: help, kind: kind, series: [.init(labels: Labels(), value: value)]))
        }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = statFields() {
            // Fields after the command name: state is index 0, so utime (field 14) is 11.
            if stat.count > 21, let utime = Double(stat[11]), let stime = Double(stat[12]) {
                one("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", .counter, (utime + stime) / ticks)
            }
            if stat.count > 21, let start = Double(stat[19]), let boot = bootTime() {
                one("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", .gauge, boot + start / ticks)
            }
            if stat.count > 21, let vsize = Double(stat[20]) {
                one("process_virtual_memory_bytes", "Virtual memory size in bytes.", .gauge, vsize)
            }
            if stat.count > 21, let rss = Double(stat[21]) {
                one("process_resident_memory_bytes", "Resident memory size in bytes.", .gauge, rss * pageSize)
            }
        }
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            // The directory listing itself holds one descriptor while it runs.
            one("process_open_fds", "Number of open file descriptors.", .gauge, Double(max(0, fds.count - 1)))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            one("process_max_fds", "Maximum number of open file descriptors.", .gauge, Double(limit.rlim_cur))
        }
        return out
    }

    /// /proc/self/stat after the `(comm)` field, which may itself hold spaces and parentheses.
    static func statFields() -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// `btime` in /proc/stat: boot time, the base of the process' start ticks.
    static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
