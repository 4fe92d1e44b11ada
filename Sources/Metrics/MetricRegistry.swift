import Foundation

/// Every metric of a run, by family, and the collectors asked for more at
/// exposition time (`/proc` values, build info).
///
/// One lock guards all values. Callers never take it per event: the pipeline
/// publishes the counters the engine keeps anyway once per chunk of lines
/// (`Counter.set`), and per-request metrics (Kafka, S3) take it once per
/// request, which is already a syscall or more. Measured: `scripts/bench-metrics.sh`.
public final class MetricRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var families: [Family] = []
    private var familyIndex: [String: Int] = [:]
    private var collectors: [@Sendable () -> [MetricFamilySnapshot]] = []

    final class Family {
        let name: String
        let help: String
        let kind: MetricKind
        let labelNames: [String]
        let bounds: [Double]
        var cells: [Labels: Cell] = [:]
        var order: [Labels] = []
        init(name: String, help: String, kind: MetricKind, labelNames: [String], bounds: [Double]) {
            self.name = name; self.help = help; self.kind = kind; self.labelNames = labelNames; self.bounds = bounds
        }
    }

    /// One series' mutable state; only touched under the registry lock.
    final class Cell {
        var value: Double = 0
        var bucketCounts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
        let created: Double
        init(buckets: Int) {
            bucketCounts = [UInt64](repeating: 0, count: buckets)
            created = Date().timeIntervalSince1970
        }
    }

    public init() {}

    /// The family named `name`, declared once; declaring it again with the
    /// same type returns the same family (so two components can share one).
    func family(_ name: String, help: String, kind: MetricKind, labelNames: [String], bounds: [Double] = []) -> Family {
        precondition(MetricRegistry.isValidName(name), "invalid metric name \(name)")
        lock.lock(); defer { lock.unlock() }
        if let i = familyIndex[name] {
            precondition(families[i].kind == kind, "\(name) declared as \(families[i].kind) and \(kind)")
            return families[i]
        }
        let f = Family(name: name, help: help, kind: kind, labelNames: labelNames, bounds: bounds)
        familyIndex[name] = families.count
        families.append(f)
        return f
    }

    /// The cell of one series, created on first use.
    /// The cell of one labelled series of a single-value family (a counter or a
    /// gauge), creating family and series as needed: what their inits share.
    func cell(_ name: String, help: String, kind: MetricKind, labels: [String: String]) -> Cell {
        let names = labels.keys.sorted()
        return cell(family(name, help: help, kind: kind, labelNames: names), names.map { labels[$0]! })
    }

    func cell(_ family: Family, _ values: [String]) -> Cell {
        precondition(values.count == family.labelNames.count, "\(family.name): \(family.labelNames.count) label values expected")
        let labels = Labels(Array(zip(family.labelNames, values)))
        lock.lock(); defer { lock.unlock() }
        if let c = family.cells[labels] { return c }
        let c = Cell(buckets: family.bounds.count)
        family.cells[labels] = c
        family.order.append(labels)
        return c
    }

    @inline(__always)
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    /// Families computed when the metrics are read (from `/proc`, say) rather than kept.
    public func addCollector(_ collect: @escaping @Sendable () -> [MetricFamilySnapshot]) {
        lock.lock(); defer { lock.unlock() }
        collectors.append(collect)
    }

    /// Every family, registered ones first (in declaration order), then the collectors'.
    public func snapshot() -> [MetricFamilySnapshot] {
        lock.lock()
        var out: [MetricFamilySnapshot] = families.map { f in
            MetricFamilySnapshot(name: f.name, help: f.help, kind: f.kind, series: f.order.map { labels in
                let c = f.cells[labels]!
                var cumulative: UInt64 = 0
                var buckets: [(upperBound: Double, count: UInt64)] = []
                if f.kind == .histogram {
                    for (i, b) in f.bounds.enumerated() {
                        cumulative += c.bucketCounts[i]
                        buckets.append((b, cumulative))
                    }
                    buckets.append((Double.infinity, c.count))
                }
                return .init(labels: labels, value: c.value, buckets: buckets, sum: c.sum, count: c.count, created: c.created)
            })
        }
        let collectors = self.collectors
        lock.unlock()
        for collect in collectors { out += collect() }
        return out
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`, the name rule both formats share.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !name.isEmpty else { return false }
        func letter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 58 }
        return letter(first) && name.utf8.allSatisfy { letter($0) || ($0 >= 48 && $0 <= 57) }
    }
}
