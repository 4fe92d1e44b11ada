import SecStreamArchive
import Workers
import Codecs
import Foundation
import ObjectStore
import SecStreamCore

/// `secstream query`: lists the objects of the time range (partition
/// pruning), fetches, decompresses and scans them on several threads, and
/// prints rows in archive order as they come (or counts at the end).
/// A corrupt object is named on stderr, skipped and counted; the run then
/// ends with exit 3 after printing the results of the rest.
public final class QueryRunner {
    public let options: QueryOptions

    public init(options: QueryOptions) { self.options = options }

    /// Returns the exit code: 0, or 3 when objects were skipped as corrupt.
    public func run() throws -> Int32 {
        let started = DispatchTime.now().uptimeNanoseconds
        let plan = try QueryPlan(options)
        try options.metrics.validate()
        let metrics = try RunMetrics.start(options.metrics)
        defer { metrics?.stop() }
        let published = metrics.map { QueryMetrics(registry: $0.registry) }
        let store = try ArchiveStoreErrors.openExisting(options.archive, flag: "query")
        let objects: [ArchiveObject]
        do { objects = try ArchiveListing.objects(in: store, from: plan.from, to: plan.to) } catch {
            throw ArchiveStoreErrors.runError(error, doing: "listing \(store.location)")
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        // A local directory's reads are page-cache copies: one object per core
        // keeps the cores busy, and each further worker only adds a decode
        // buffer of fresh pages for the kernel to zero (measured: 5% of a
        // 3-hour gzip query). S3 requests wait on the network: two per core.
        let width = options.parallelism > 0 ? options.parallelism
            : store is FileObjectStore ? max(2, cores) : max(2, cores * 2)
        let masking = try options.masking.load()
        let keyring = try options.keyring.map { try ArchiveKeyring.load(path: $0, flag: "--keyring") }
        let scanners = (0..<width).map { _ in QueryObjectScanner(plan: plan, masking: masking) }
        let buffers = (0..<width).map { _ in ArchiveDecodeBuffer() }
        // Buffered stdout, flushed after each object's rows: rows stream as
        // objects complete, and a closed pipe (`| head`) is an error the CLI
        // ends on quietly instead of a crash.
        let out = try FileSink(path: "-")
        let progress = ProgressLine("query", unit: .objects, total: Int64(objects.count), mode: options.summary ? options.progress : .never)

        var printed = 0
        var corrupt = 0
        var events = 0, matched = 0, malformed = 0
        var counts: [[UInt8]: Int] = [:]
        var tableRows: [[String]] = []
        if plan.format == .csv {
            let header = plan.countBy.isEmpty ? plan.selectNames : plan.countByNames + ["count"]
            if plan.countBy.isEmpty { try out.write(Self.csvHeader(header)) }
        }

        try OrderedWorkerPool.map(count: objects.count, width: width, lookahead: width * 2, work: { worker, index -> QueryObjectResult in
            let compressed: [UInt8]
            switch ArchiveObjectReader.fetch(objects[index], from: store) {
            case .failure(let error): return QueryObjectResult(status: .failed(error))
            case .success(let bytes):
                switch ArchiveObjectReader.unseal(bytes, keyring: keyring) {
                case .success(let plain): compressed = plain
                case .failure(let why): return QueryObjectResult(status: .corrupt(why.description))
                }
            }
            return compressed.withUnsafeBytes { input in
                do {
                    let data = try buffers[worker].decode(ArchiveLayout.codec(ofKey: objects[index].key) ?? .none, input)
                    return scanners[worker].scan(data, rowLimit: plan.limit)
                } catch {
                    return QueryObjectResult(status: .corrupt("\(error)"))
                }
            }
        }, deliver: { index, result in
            let key = objects[index].key
            switch result.status {
            case .failed(let error): throw error
            case .corrupt(let why):
                corrupt += 1
                published?.publish(objects: index + 1 - corrupt, corrupt: corrupt, events: events, malformed: malformed, matched: matched)
                progress.clear()
                ArchiveMessages.say("\(store.location)\(key): corrupt object skipped: \(why)")
                return true
            case .ok: break
            }
            events += result.events
            matched += result.matched
            malformed += result.malformedCount
            if !result.malformed.isEmpty { progress.clear() }
            for bad in result.malformed { ArchiveMessages.say("\(store.location)\(key):\(bad.line): malformed event skipped: \(bad.reason)") }
            if !plan.countBy.isEmpty {
                counts.merge(result.counts, uniquingKeysWith: +)
            } else {
                let room = plan.limit.map { $0 - printed } ?? Int.max
                let take = min(room, result.rowCount)
                if plan.format == .table {
                    tableRows.append(contentsOf: result.cells.prefix(take))
                } else if take > 0 {
                    progress.clear()
                    try result.rendered.withUnsafeBytes { try out.write(UnsafeRawBufferPointer(rebasing: $0[0..<result.rowEnds[take - 1]])) }
                    try out.flush()
                }
                printed += take
                if let limit = plan.limit, printed >= limit { return false }
            }
            published?.publish(objects: index + 1 - corrupt, corrupt: corrupt, events: events, malformed: malformed, matched: matched)
            progress.report(done: Int64(index + 1), events: Int64(events), note: "\(matched) matched")
            return true
        })
        progress.clear()

        if !plan.countBy.isEmpty {
            printed = try writeCounts(counts, plan: plan, to: out)
        } else if plan.format == .table {
            try out.write(Array(QueryCells.table(header: plan.selectNames, rows: tableRows).utf8))
        }
        try out.close()
        published?.publish(objects: objects.count - corrupt, corrupt: corrupt, events: events, malformed: malformed, matched: matched)
        try metrics?.finish()
        if options.summary {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            ArchiveMessages.say(String(format: "query: %d objects (%d corrupt, skipped), %d events scanned, %d matched, %d malformed, %d rows in %.2fs",
                                       objects.count, corrupt, events, matched, malformed, printed, seconds))
        }
        return corrupt > 0 ? RunError.Kind.input.rawValue : 0
    }

    /// Count rows, largest first, ties by the value tuple (bytewise).
    private func writeCounts(_ counts: [[UInt8]: Int], plan: QueryPlan, to out: ByteSink) throws -> Int {
        let names = plan.countByNames
        var rows = counts.map { (values: QueryObjectScanner.decodeKey($0.key, fields: names.count), count: $0.value) }
        rows.sort { a, b in
            if a.count != b.count { return a.count > b.count }
            for (x, y) in zip(a.values, b.values) {
                let xs = x?.text ?? "", ys = y?.text ?? ""
                if xs != ys { return xs.utf8.lexicographicallyPrecedes(ys.utf8) }
                if (x == nil) != (y == nil) { return x == nil }
            }
            return false
        }
        if let limit = plan.limit { rows = Array(rows.prefix(limit)) }
        switch plan.format {
        case .ndjson:
            var line: [UInt8] = []
            for row in rows {
                line.removeAll(keepingCapacity: true)
                line.append(0x7b)
                for (name, value) in zip(names, row.values) {
                    JSONWriter.string(name, into: &line)
                    line.append(0x3a)
                    if let value {
                        if value.isString { JSONWriter.string(value.text, into: &line) } else { line.append(contentsOf: Array(value.text.utf8)) }
                    } else {
                        line.append(contentsOf: Array("null".utf8))
                    }
                    line.append(0x2c)
                }
                line.append(contentsOf: Array("\"count\":\(row.count)}\n".utf8))
                try out.write(line)
            }
        case .csv:
            var text = Self.csvHeader(names + ["count"])
            for row in rows {
                for value in row.values {
                    QueryCells.appendCSV(Array((value?.text ?? "").utf8), to: &text)
                    text.append(0x2c)
                }
                text.append(contentsOf: Array("\(row.count)\n".utf8))
            }
            try out.write(text)
        case .table:
            try out.write(Array(QueryCells.table(header: names + ["count"],
                                                 rows: rows.map { $0.values.map { $0?.text ?? "" } + [String($0.count)] }).utf8))
        }
        return rows.count
    }

    private static func csvHeader(_ names: [String]) -> [UInt8] {
        var text: [UInt8] = []
        for (i, name) in names.enumerated() {
            if i > 0 { text.append(0x2c) }
            QueryCells.appendCSV(Array(name.utf8), to: &text)
        }
        text.append(0x0a)
        return text
    }
}
