import Foundation
import XCTest
@testable import SecStreamCore

/// Runs the generator into memory.
func generateBytes(_ config: GeneratorConfig, clock: PacingClock = SystemPacingClock()) throws -> ([UInt8], GenerationReport) {
    var bytes: [UInt8] = []
    let report = try Generator(config: config).run(clock: clock) { bytes.append(contentsOf: $0) }
    return (bytes, report)
}

/// Output lines without their newlines.
func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().map { $0 }
}

/// A parsed event line, looked up by dotted path whether nested or flat.
struct ParsedEvent {
    let object: [String: Any]

    init?(_ line: ArraySlice<UInt8>) {
        guard let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { return nil }
        object = o
    }

    subscript(path: String) -> Any? {
        if let v = object[path] { return v }
        var current: Any? = object
        for part in path.split(separator: ".") {
            current = (current as? [String: Any])?[String(part)]
        }
        return current
    }

    func string(_ path: String) -> String? { self[path] as? String }
    func int(_ path: String) -> Int64? { (self[path] as? NSNumber)?.int64Value }
    var timeMs: Int64? { string("@timestamp").flatMap(RFC3339.parseUTC) }
}

/// A small configuration used by most tests: 20k events over 30 minutes.
func smallConfig(seed: UInt64 = 7) -> GeneratorConfig {
    var c = GeneratorConfig()
    c.events = 20_000
    c.seed = seed
    return c
}
