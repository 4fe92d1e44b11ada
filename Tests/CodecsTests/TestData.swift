import Codecs
import Foundation
import TestSupport

/// Deterministic test inputs: NDJSON-like text (compressible) and
/// pseudo-random bytes (incompressible), from a fixed-seed generator.
enum TestData {
    static func ndjson(lines: Int, seed: UInt64 = 1) -> [UInt8] {
        var rng = SplitMix(seed: seed)
        var out: [UInt8] = []
        for i in 0..<lines {
            let ip = "10.\(rng.next() % 256).\(rng.next() % 256).\(rng.next() % 256)"
            out += Array(#"{"@timestamp":"2026-11-20T13:00:\#(i % 60).000Z","source":{"ip":"\#(ip)"},"event":{"outcome":"failure"}}"#.utf8)
            out.append(0x0a)
        }
        return out
    }

    static func random(_ count: Int, seed: UInt64 = 2) -> [UInt8] {
        var rng = SplitMix(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    /// One to four gzip members of random sizes (large in every third round),
    /// text or random bytes, at random levels: what the gzip decoders are
    /// compared on.
    static func gzipMembers(round: Int, using rng: inout SystemRandomNumberGenerator) throws -> [UInt8] {
        var packed: [UInt8] = []
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let size = Int.random(in: 0...(round % 3 == 0 ? 300_000 : 5_000), using: &rng)
            let member = Int.random(in: 0..<3, using: &rng) == 0 ? random(size) : Array(ndjson(lines: size / 100 + 1).prefix(size))
            packed += try Codec.compress(.gzip, member, level: Int.random(in: 1...9, using: &rng))
        }
        return packed
    }

    static func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("secstream-codecs-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }
}
