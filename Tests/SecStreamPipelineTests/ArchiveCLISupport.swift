import Codecs
import Foundation
import XCTest

/// Runs the built `secstream` binary (next to the test bundle in the build
/// directory) the way a user does, and small helpers around its output.
enum SecStreamCLI {
    struct Result {
        var code: Int32
        var stdout: Data
        var stderr: String
        var lines: [String] { ArchiveTestFiles.splitLines(stdout) }
    }

    /// `.build/<triple>/debug/secstream`: the test bundle lives in the same directory.
    static var binary: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        var directory = bundle.deletingLastPathComponent()
        if directory.lastPathComponent == "MacOS" {  // an .xctest bundle on macOS
            directory = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
        return directory.appendingPathComponent("secstream").path
    }

    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            // A missing binary is a failure, never a skip: the suite must not pass without testing the CLI.
            XCTFail("no secstream binary at \(binary): build with swift build --build-tests")
            throw CocoaError(.fileNoSuchFile)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let outFile = NSTemporaryDirectory() + "secstream-cli-\(UUID().uuidString)"
        XCTAssertTrue(FileManager.default.createFile(atPath: outFile + ".out", contents: nil))
        XCTAssertTrue(FileManager.default.createFile(atPath: outFile + ".err", contents: nil))
        defer {
            try? FileManager.default.removeItem(atPath: outFile + ".out")
            try? FileManager.default.removeItem(atPath: outFile + ".err")
        }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outFile + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: outFile + ".err"))
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) } ?? FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Result(code: process.terminationStatus,
                      stdout: try Data(contentsOf: URL(fileURLWithPath: outFile + ".out")),
                      stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: outFile + ".err")), as: UTF8.self))
    }

    /// Runs and fails the test unless the exit code is `expect`.
    @discardableResult
    static func check(_ arguments: [String], expect: Int32 = 0, environment: [String: String] = [:], stdin: String? = nil,
                      file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let result = try run(arguments, environment: environment, stdin: stdin)
        XCTAssertEqual(result.code, expect, "secstream \(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line)
        return result
    }
}

enum ArchiveTestFiles {
    static func temporaryDirectory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "secstream-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A generated stream over three hours, with out-of-order events and malformed lines.
    static func generate(_ path: String, events: Int = 20_000, seed: Int = 7, span: String = "3h",
                         lateFraction: Double = 0.03, maxLateness: String = "10s", malformed: Double = 0.002) throws {
        try SecStreamCLI.check(["generate", "--events", String(events), "--seed", String(seed),
                                "--start", "2026-11-20T10:40:00Z", "--span", span,
                                "--late-fraction", String(lateFraction), "--max-lateness", maxLateness,
                                "--malformed-fraction", String(malformed), "-o", path])
    }

    /// Every archive object under `root`: key -> bytes. Hidden files (the
    /// directory store's temporary files, which a killed writer leaves and
    /// listings never show) are not objects.
    static func objects(under root: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            if relative.split(separator: "/").last?.hasPrefix(".") == true { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue { out[relative] = Array(try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative))) }
        }
        return out
    }

    static func decompressedLines(_ key: String, _ bytes: [UInt8]) throws -> [String] {
        let codec: CompressionCodec = key.hasSuffix(".gz") ? .gzip : .lz4
        let text = String(decoding: try Codec.decompress(codec, bytes), as: UTF8.self)
        return text.split(separator: "\n").map(String.init)
    }

    static func lines(_ path: String) throws -> [String] {
        splitLines(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Non-empty lines split on LF bytes (a String split would keep "\r\n",
    /// one Character, together), each decoded as UTF-8 with replacement.
    static func splitLines(_ data: Data) -> [String] {
        data.split(separator: 0x0a, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The "N events" count of a run's summary line on stderr.
    static func summaryEvents(_ stderr: String) throws -> Int {
        let regex = try NSRegularExpression(pattern: #"(\d+) events"#)
        let match = try XCTUnwrap(regex.firstMatch(in: stderr, range: NSRange(stderr.startIndex..., in: stderr)), stderr)
        return try XCTUnwrap(Int(stderr[Range(match.range(at: 1), in: stderr)!]))
    }

    /// A field of a parsed event, nested (`{"source":{"ip":..}}`) or flat (`{"source.ip":..}`).
    static func field(_ object: [String: Any], _ path: String) -> Any? {
        if let flat = object[path] { return flat }
        guard let dot = path.firstIndex(of: ".") else { return nil }
        guard let inner = object[String(path[..<dot])] as? [String: Any] else { return nil }
        return field(inner, String(path[path.index(after: dot)...]))
    }

    /// Asserts two line multisets are equal without printing megabytes on failure.
    static func assertSameLines(_ got: [String], _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
        let a = got.sorted(), b = expected.sorted()
        guard a != b else { return }
        let extra = Set(a).subtracting(b).prefix(2), missing = Set(b).subtracting(a).prefix(2)
        XCTFail("\(got.count) lines, expected \(expected.count); unexpected: \(extra.map { $0.prefix(200) }); missing: \(missing.map { $0.prefix(200) })",
                file: file, line: line)
    }

    static func alertIds(_ data: Data) throws -> [String] {
        try splitLines(data).map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return try XCTUnwrap(object?["alert_id"] as? String)
        }.sorted()
    }

    static func alertIds(file: String) throws -> [String] {
        try alertIds(try Data(contentsOf: URL(fileURLWithPath: file)))
    }

    /// What an archive of `input` must hold, computed from the input alone
    /// with a parser independent of secstream's (Foundation's
    /// JSONSerialization and an RFC 3339 check written here, after docs/event-time.md
    /// "Events"): every non-blank line of at most 1 MiB that is a JSON object
    /// with an `@timestamp` that is an RFC 3339 time (or epoch milliseconds),
    /// in input order. With `lateness` (seconds), events older than the
    /// watermark when they arrive (the largest event time of the earlier
    /// valid lines minus the lateness, docs/event-time.md) are late and left out.
    static func expectedArchive(input: String, lateness: Double? = nil) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: input))
        var out: [String] = []
        var largest = -Double.infinity
        for raw in data.split(separator: 0x0a, omittingEmptySubsequences: true) {
            if raw.count > 1 << 20 { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(raw)) as? [String: Any],
                  let time = eventTime(object["@timestamp"]) else { continue }
            if let lateness, time < largest - lateness { continue }
            largest = max(largest, time)
            out.append(String(decoding: raw, as: UTF8.self))
        }
        return out
    }

    /// Seconds since the epoch of an `@timestamp` value: an RFC 3339
    /// date-time string (`T`, optional fraction, `Z` or ±hh:mm) with valid
    /// field ranges, or a JSON number of epoch milliseconds; nil otherwise.
    static func eventTime(_ value: Any?) -> Double? {
        if let value, type(of: value) != Bool.self, !(value is String), let number = value as? NSNumber { return number.doubleValue / 1000 }
        guard let text = value as? String else { return nil }
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        func int(_ i: Int) -> Int? { Range(m.range(at: i), in: text).flatMap { Int(text[$0]) } }
        guard let year = int(1), let month = int(2), let day = int(3), let hour = int(4), let minute = int(5), let second = int(6),
              (1...12).contains(month), hour < 24, minute < 60, second < 61 else { return nil }
        let components = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"),
                                        year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59))
        guard components.isValidDate, let date = components.date else { return nil }
        var seconds = date.timeIntervalSince1970 + Double(second - min(second, 59))
        if let r = Range(m.range(at: 7), in: text) { seconds += Double("0" + text[r]) ?? 0 }
        if Range(m.range(at: 9), in: text) != nil {
            guard let oh = int(10), let om = int(11), oh < 24, om < 60 else { return nil }
            let sign: Double = text[Range(m.range(at: 9), in: text)!] == "-" ? -1 : 1
            seconds -= sign * Double(oh * 3600 + om * 60)
        }
        return seconds
    }
}
