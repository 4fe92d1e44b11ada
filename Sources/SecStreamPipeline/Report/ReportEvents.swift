import Codecs
import Foundation
import ObjectStore
import SecStreamArchive
import SecStreamCore

/// What the report takes from the events behind the alerts (`--events`, a
/// file or an archive): failed logins per source and minute, countries, the
/// address -> country map, and the lines alerts name as samples. Only lines
/// that can matter are parsed (a byte search first): the rest of a large
/// input costs one scan.
struct ReportEvents {
    /// Lines read (valid or not).
    var lines = 0
    /// Failed logins: source address -> minute (epoch ms, floored) -> count.
    var failedLogins: [String: [Int64: Int]] = [:]
    /// Events by `source.geo.country_iso_code`, and the failed logins among them.
    var countries: [String: (events: Int, failed: Int, sources: Set<String>)] = [:]
    /// `source.ip` -> its country, as the events say.
    var ipCountry: [String: String] = [:]
    /// Sample events the alerts name (file, line) -> the raw line.
    var samples: [ReportAlert.Sample: String] = [:]

    /// `wanted`: the samples the alerts name; matched to an input by its path
    /// as given, its absolute path, or its file name.
    mutating func read(input: String, wanted: Set<ReportAlert.Sample>) throws {
        if input.hasPrefix("s3://") || isDirectory(input) {
            try readArchive(input)
            return
        }
        let names = Set([input, URL(fileURLWithPath: input).standardizedFileURL.path])
        let base = URL(fileURLWithPath: input).lastPathComponent
        var wantedLines: Set<Int64> = []
        for case .file(let source, let line) in wanted
            where names.contains(source) || names.contains(URL(fileURLWithPath: source).standardizedFileURL.path) {
            wantedLines.insert(line)
        }
        if wantedLines.isEmpty {
            for case .file(let source, let line) in wanted where URL(fileURLWithPath: source).lastPathComponent == base {
                wantedLines.insert(line)
            }
        }
        let reader: LineChunkReader
        do { reader = try LineChunkReader(path: input) } catch { throw RunError(.input, "--events " + ReportRunner.naming(input, error)) }
        while true {
            let chunk: LineChunk?
            do { chunk = try reader.next() } catch { throw RunError(.input, "--events " + ReportRunner.naming(input, error)) }
            guard let chunk else { break }
            for line in chunk where !line.isOversized {
                let number = Int64(line.number)
                guard let raw = take(line.bytes, isSample: wantedLines.contains(number)) else { continue }
                for case .file(let source, let l) in wanted where l == number
                    && (names.contains(source) || URL(fileURLWithPath: source).lastPathComponent == base) {
                    samples[.file(source: source, line: l)] = raw
                }
            }
        }
    }

    private func isDirectory(_ path: String) -> Bool {
        var dir: ObjCBool = false
        let p = path.hasPrefix("file://") ? String(path.dropFirst("file://".count)) : path
        return FileManager.default.fileExists(atPath: p, isDirectory: &dir) && dir.boolValue
    }

    private mutating func readArchive(_ uri: String) throws {
        let store = try ArchiveStoreErrors.openExisting(uri, flag: "--events")
        let objects: [ArchiveObject]
        do { objects = try ArchiveListing.objects(in: store, from: nil, to: nil) } catch {
            throw ArchiveStoreErrors.runError(error, doing: "listing \(store.location)")
        }
        for object in objects {
            switch ArchiveObjectReader.read(object, from: store) {
            case .failed(let error): throw error
            case .corrupt(let why):
                FileHandle.standardError.write(Data("secstream: \(store.location)\(object.key): corrupt object skipped: \(why)\n".utf8))
            case .data(let data):
                data.withUnsafeBytes { bytes in
                    ArchiveObjectReader.forEachLine(bytes) { line, _ in _ = take(line, isSample: false) }
                }
            }
        }
    }

    private static let failure = Array("failure".utf8)
    private static let country = Array("country_iso_code".utf8)

    /// One line: counted, and parsed only when it can be a failed login, has
    /// a country, or is a sample. Returns the line's text when it is a sample.
    private mutating func take(_ bytes: UnsafeRawBufferPointer, isSample: Bool) -> String? {
        lines += 1
        let isFailure = Self.contains(bytes, Self.failure)
        let hasCountry = Self.contains(bytes, Self.country)
        guard isFailure || hasCountry || isSample else { return nil }
        let data = Data(bytes)
        let raw = isSample ? String(decoding: data, as: UTF8.self) : nil
        guard let event = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return raw }
        let ip = Self.field(event, "source.ip").map(ReportAlert.text)
        let countryCode = Self.field(event, "source.geo.country_iso_code").map(ReportAlert.text)
        let failed = isFailure && Self.isFailedLogin(event)
        if let countryCode {
            var c = countries[countryCode] ?? (0, 0, [])
            c.events += 1
            if failed { c.failed += 1 }
            if let ip, c.sources.count < 10_000 { c.sources.insert(ip) }
            countries[countryCode] = c
            if let ip { ipCountry[ip] = countryCode }
        }
        if failed, let time = Self.time(event) {
            failedLogins[ip ?? "(no source.ip)", default: [:]][time - ((time % 60_000) + 60_000) % 60_000, default: 0] += 1
        }
        return raw
    }

    static func isFailedLogin(_ event: [String: Any]) -> Bool {
        guard (field(event, "event.outcome") as? String) == "failure" else { return false }
        switch field(event, "event.category") {
        case let s as String: return s == "authentication"
        case let list as [Any]: return list.contains { ($0 as? String) == "authentication" }
        default: return false
        }
    }

    static func time(_ event: [String: Any]) -> Int64? {
        switch field(event, "@timestamp") {
        case let s as String: return EventTime.parse(s)
        case let n as NSNumber: return n.int64Value
        default: return nil
        }
    }

    /// A dotted field, nested (`{"source":{"ip":..}}`), flat (`{"source.ip":..}`) or mixed.
    static func field(_ object: [String: Any], _ path: Substring) -> Any? {
        if let v = object[String(path)] { return v }
        var i = path.startIndex
        while let dot = path[i...].firstIndex(of: ".") {
            if let sub = object[String(path[..<dot])] as? [String: Any],
               let v = field(sub, path[path.index(after: dot)...]) {
                return v
            }
            i = path.index(after: dot)
        }
        return nil
    }

    static func field(_ object: [String: Any], _ path: String) -> Any? { field(object, path[...]) }

    private static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard let base = haystack.baseAddress, haystack.count >= needle.count, let first = needle.first else { return false }
        var at = 0
        let last = haystack.count - needle.count
        while at <= last, let hit = memchr(base + at, Int32(first), last - at + 1) {
            let i = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + i, needle, needle.count) == 0 { return true }
            at = i + 1
        }
        return false
    }
}
