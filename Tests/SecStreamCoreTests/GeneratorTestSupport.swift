import Foundation
import XCTest
@testable import SecStreamCore

/// Runs the generator into memory.
func generateBytes(_ config: GeneratorConfig, clock: PacingClock = SystemPacingClock()) throws -> ([UInt8], GenerationReport) {
    var bytes: [UInt8] = []
    let report = try Generator(config: config).run(clock: clock) { bytes.append(contentsOf: $0) }
    return (bytes, report)
}

/// Output lines without their newlines (a plain index scan: the generic
/// `split` is slow in unoptimised test builds).
func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var ranges: [Range<Int>] = []
    bytes.withUnsafeBufferPointer { p in
        var start = 0
        while start < p.count {
            guard let nl = memchr(p.baseAddress! + start, 0x0A, p.count - start) else { break }
            let end = start + (UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - (p.baseAddress! + start))
            ranges.append(start..<end)
            start = end + 1
        }
    }
    return ranges.map { bytes[$0] }
}

/// A parsed event line, looked up by dotted path whether nested or flat.
struct ParsedEvent {
    /// The object as written.
    let object: [String: Any]
    /// Every leaf under its dotted path (`{"source":{"ip":…}}` → `source.ip`).
    private var leaves: [String: Any] = [:]

    init?(_ line: ArraySlice<UInt8>) {
        guard let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { return nil }
        object = o
        flatten(o, prefix: "")
    }

    private mutating func flatten(_ o: [String: Any], prefix: String) {
        for (k, v) in o {
            let path = prefix.isEmpty ? k : prefix + "." + k
            if let nested = v as? [String: Any] { flatten(nested, prefix: path) } else { leaves[path] = v }
        }
    }

    subscript(path: String) -> Any? { leaves[path] }

    /// Whether the line uses flat dotted keys (`"event.dataset":…`).
    var isFlat: Bool { object["event.dataset"] != nil }

    func string(_ path: String) -> String? { self[path] as? String }
    func int(_ path: String) -> Int64? { (self[path] as? NSNumber)?.int64Value }
    var timeMs: Int64? { string("@timestamp").flatMap(RFC3339.parseUTC) }
}

/// A small configuration used by most tests: 10k events over the default
/// (minimum) 30 minutes, every scenario.
func smallConfig(seed: UInt64 = 7) -> GeneratorConfig {
    var c = GeneratorConfig()
    c.events = 10_000
    c.seed = seed
    return c
}
