import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes the exposition to a file in node_exporter's textfile-collector
/// format (text 0.0.4, no timestamps) so a cron or CI run leaves its figures
/// behind. Atomic: written to a temporary file in the same directory, synced,
/// then renamed over the target, so the collector never reads half a file.
public struct TextfileWriter: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public func write(_ families: [MetricFamilySnapshot]) throws {
        let body = Array(ExpositionFormat.prometheusText.render(families).utf8)
        let directory = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        // node_exporter reads only `*.prom`, so a leftover temporary file is never collected.
        let tmp = (directory.isEmpty ? "" : directory + "/") + ".\(base).\(getpid()).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MetricsError("--metrics-file \(path): cannot write \(tmp): \(String(cString: strerror(errno)))") }
        var written = 0
        while written < body.count {
            let n = body[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let why = String(cString: strerror(errno))
                close(fd); unlink(tmp)
                throw MetricsError("--metrics-file \(path): \(why)")
            }
            written += n
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(tmp, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw MetricsError("--metrics-file \(path): cannot replace: \(why)")
        }
    }
}
