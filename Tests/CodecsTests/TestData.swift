import Foundation

/// Deterministic test inputs: NDJSON-like text (compressible) and
/// pseudo-random bytes (incompressible), from a fixed-seed generator.
enum TestData {
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func ndjson(lines: Int, seed: UInt64 = 1) -> [UInt8] {
        var rng = SplitMix64(state: seed)
        var out: [UInt8] = []
        for i in 0..<lines {
            let ip = "10.\(rng.next() % 256).\(rng.next() % 256).\(rng.next() % 256)"
            out += Array(#"{"@timestamp":"2026-11-20T13:00:\#(i % 60).000Z","source":{"ip":"\#(ip)"},"event":{"outcome":"failure"}}"#.utf8)
            out.append(0x0a)
        }
        return out
    }

    static func random(_ count: Int, seed: UInt64 = 2) -> [UInt8] {
        var rng = SplitMix64(state: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    static func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("secstream-codecs-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }
}
