import XCTest
import TestSupport
@testable import SecStreamCore

/// The field scanner against its frozen pre-tuning copy (`ReferenceFieldScanner`):
/// for every input the same `ScanResult` (reason and offset, so the same error
/// text), the same slots and the same `LineShape`. Inputs: ECS-like event lines
/// as the benches write them, the JSONSerialization differential's generated
/// documents, their mutations and truncations, and random bytes.
final class ScannerReferenceDifferentialTests: XCTestCase {
    /// Wanted paths: nested and flat spellings, a wildcard, keys longer than 16
    /// bytes (the key table's limit), prefixes of other keys.
    static let ecsWanted = ["@timestamp", "event.outcome", "event.action", "source.ip", "source.port", "user.name",
                            "destination.ip", "process.command_line", "process.parent.command_line",
                            "winlog.event_data.*.Address", "network", "host", "a.ParentCommandLine", "x"]
    static let ecsKeys = ["@timestamp", "event", "outcome", "action", "dataset", "source", "ip", "port", "bytes",
                          "user", "name", "destination", "process", "command_line", "parent", "winlog", "event_data",
                          "Address", "network", "transport", "host", "a", "ParentCommandLine", "x", "event.outcome",
                          "source.ip", "user.name", "process.parent.command_line", "winlog.event_data", "é", "k\\\"q",
                          "sourc", "source.i", "source.ipx"]

    struct ECSGenerator {
        var gen: EventScannerDifferentialTests.Generator

        mutating func value(_ depth: Int) -> String {
            switch gen.rng.next() % (depth >= 4 ? 7 : 10) {
            case 0, 1, 2: return gen.string()
            case 3: return "\"" + ["10.1.3.81", "failure", "success", "C:\\\\Windows\\\\system32\\\\cmd.exe", "wking4",
                                   "2026-11-20T00:00:00.017Z", String(repeating: "x", count: Int(gen.rng.next() % 200))].randomElement(using: &gen.rng)! + "\""
            case 4, 5: return gen.number()
            case 6: return gen.pick(["true", "false", "null"])
            case 7, 8: return object(depth + 1)
            default:
                let n = Int(gen.rng.next() % 4)
                return "[" + (0..<n).map { _ in value(depth + 1) }.joined(separator: ",") + gen.ws() + "]"
            }
        }

        mutating func object(_ depth: Int) -> String {
            var members: [String] = []
            for _ in 0..<Int(gen.rng.next() % (depth == 0 ? 10 : 5)) {
                let k = gen.pick(ScannerReferenceDifferentialTests.ecsKeys)
                members.append(gen.ws() + "\"" + k + "\"" + gen.ws() + ":" + gen.ws() + value(depth))
            }
            return "{" + members.joined(separator: ",") + gen.ws() + "}"
        }
    }

    struct Pair {
        let schema: FieldSchema
        let scanner: FieldScanner
        let reference: ReferenceFieldScanner
        init(_ paths: [String]) {
            schema = FieldSchema(paths: paths)
            scanner = FieldScanner(schema: schema)
            reference = ReferenceFieldScanner(schema: schema)
        }
    }

    static func slotsEqual(_ a: [FieldSlot], _ b: [FieldSlot]) -> Bool {
        zip(a, b).allSatisfy { $0.kind == $1.kind && ($0.kind == .missing || ($0.start == $1.start && $0.end == $1.end)) }
    }

    /// Scans `bytes` with both (plain and shape-tracking); true when they agree.
    @discardableResult
    static func check(_ bytes: [UInt8], _ pair: Pair, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let n = pair.schema.count
        var slots = [FieldSlot](repeating: FieldSlot(start: 7, end: 7, kind: .null), count: n)
        var expected = [FieldSlot](repeating: FieldSlot(start: 5, end: 5, kind: .null), count: n)
        var shape = LineShape(), expectedShape = LineShape()
        let text = { String(decoding: bytes, as: UTF8.self).debugDescription }
        let (r1, r2, r3, r4) = bytes.withUnsafeBytes { buf in
            let r1 = slots.withUnsafeMutableBufferPointer { pair.scanner.scan(buf, into: $0) }
            let r2 = expected.withUnsafeMutableBufferPointer { pair.reference.scan(buf, into: $0) }
            let plainAgree = r1 != .ok || slotsEqual(slots, expected)
            if !plainAgree { XCTFail("slots differ (plain scan) for \(text())", file: file, line: line) }
            let r3 = slots.withUnsafeMutableBufferPointer { pair.scanner.scan(buf, into: $0, shape: &shape) }
            let r4 = expected.withUnsafeMutableBufferPointer { pair.reference.scan(buf, into: $0, shape: &expectedShape) }
            return (r1, r2, r3, r4)
        }
        guard r1 == r2, r3 == r4, r1 == r3 else {
            XCTFail("\(r1) / \(r3) vs reference \(r2) / \(r4) for \(text())", file: file, line: line)
            return false
        }
        if r3 == .ok {
            guard slotsEqual(slots, expected), shape == expectedShape else {
                XCTFail("slots or shape (\(shape.rawValue) vs \(expectedShape.rawValue)) differ for \(text())", file: file, line: line)
                return false
            }
        }
        return true
    }

    static func mutate(_ bytes: inout [UInt8], _ gen: inout EventScannerDifferentialTests.Generator) {
        let noise: [UInt8] = Array("{}[]\":,0123456789.eE-+ \\tfnulr/".utf8) + [0x80, 0xbf, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xff, 0x00, 0x01, 0x09, 0x0a, 0x7f]
        let pos = Int(gen.rng.next() % UInt64(bytes.count + 1))
        switch gen.rng.next() % 5 {
        case 0: bytes.removeSubrange(pos...)
        case 1: if pos < bytes.count { bytes.remove(at: pos) }
        case 2: bytes.insert(gen.pick(noise), at: pos)
        case 3: if pos < bytes.count { bytes[pos] = gen.pick(noise) }
        default: if pos < bytes.count { bytes[pos] ^= UInt8(1) << UInt8(gen.rng.next() % 8) }
        }
    }

    func testECSLinesMutationsAndTruncations() {
        let pairs = [Pair(Self.ecsWanted), Pair(EventScannerDifferentialTests.wanted), Pair(["event.outcome"]), Pair([])]
        var gen = ECSGenerator(gen: .init(rng: SplitMix(Fuzz.seed(2026))))
        var ok = 0, malformed = 0
        for k in 0..<Fuzz.iterations(6000) {
            let pair = pairs[k % pairs.count]
            var bytes = Array((gen.gen.ws() + gen.object(0) + gen.gen.ws()).utf8)
            guard Self.check(bytes, pair) else { return }
            if k % 5 == 0 {
                for cut in stride(from: 0, through: bytes.count, by: 1 + bytes.count / 97) { guard Self.check(Array(bytes[0..<cut]), pair) else { return } }
            }
            for _ in 0..<Int(gen.gen.rng.next() % 4) + 1 {
                Self.mutate(&bytes, &gen.gen)
                let agreed = bytes.withUnsafeBytes { line -> ScanResult in
                    var slots = [FieldSlot](repeating: .missing, count: pair.schema.count)
                    return slots.withUnsafeMutableBufferPointer { pair.reference.scan(line, into: $0) }
                }
                if agreed == .ok { ok += 1 } else { malformed += 1 }
                guard Self.check(bytes, pair) else { return }
            }
        }
        XCTAssertGreaterThan(ok, 1000)
        XCTAssertGreaterThan(malformed, 5000)
    }

    func testGeneratedDocumentsAndRandomBytes() {
        let pair = Pair(EventScannerDifferentialTests.wanted)
        var gen = EventScannerDifferentialTests.Generator(rng: SplitMix(Fuzz.seed(1202)))
        for _ in 0..<Fuzz.iterations(4000) {
            var bytes = Array((gen.ws() + gen.object(0) + gen.ws()).utf8)
            guard Self.check(bytes, pair) else { return }
            Self.mutate(&bytes, &gen)
            guard Self.check(bytes, pair) else { return }
        }
        let alphabet: [UInt8] = Array("{}[]\":,\\0123456789.eE-+ truefalsnul\u{7f}abu".utf8) + [0x80, 0xbf, 0xc3, 0xed, 0xf0, 0xff, 0x00, 0x0a]
        for _ in 0..<Fuzz.iterations(20_000) {
            let n = Int(gen.rng.next() % 150)
            var bytes = (0..<n).map { _ in gen.pick(alphabet) }
            if gen.chance(70) { bytes.insert(0x7b, at: 0) }
            guard Self.check(bytes, pair) else { return }
        }
    }

    /// Lengths around the 8-, 16- and 64-byte steps of the word and block paths,
    /// with the special byte or the end of the line at each position.
    func testBoundaries() {
        let pair = Pair(Self.ecsWanted)
        for pad in Array(0...18) + Array(52...70) + Array(116...132) {
            let filler = String(repeating: "a", count: pad)
            var docs = [#"{"source":{"ip":"\#(filler)"}}"#, #"{"x":"\#(filler)"}"#, #"{"\#(filler)":1}"#,
                        #"{"x":\#(pad == 0 ? "0" : "1" + String(repeating: "2", count: pad))}"#,
                        #"{"x":1.\#(String(repeating: "5", count: pad + 1))e+\#(pad)}"#,
                        #"{"x":"\#(filler)é\#(filler)\\n"}"#, #"{"event":{"outcome":"\#(filler)\""}}"#]
            docs += docs.map { $0 + " " } + docs.map { " " + $0 }
            for doc in docs {
                let bytes = Array(doc.utf8)
                for cut in 0...bytes.count { guard Self.check(Array(bytes[0..<cut]), pair) else { return } }
                for pos in 0..<bytes.count {
                    for b: UInt8 in [0x22, 0x5c, 0x00, 0x20, 0x80, 0xc3, 0x2e, 0x65, 0x2d, 0x7d] {
                        var m = bytes
                        m[pos] = b
                        guard Self.check(m, pair) else { return }
                    }
                }
            }
        }
    }
    /// The key table's lookups: wanted segments of every length around its
    /// 8- and 16-byte words, nested and flat, enough paths that probes chain,
    /// and keys that miss by one byte (in either word, by length, by case),
    /// each followed by enough of the line to take the table path, or cut so
    /// that it takes the trie walk.
    func testKeyTableLengthsCollisionsAndNearMisses() {
        let segments: [String] = (1...18).map { (n: Int) -> String in
            let bytes: [UInt8] = (0..<n).map { (j: Int) -> UInt8 in UInt8(0x61 + (j * 7 + n) % 26) }
            return String(decoding: bytes, as: UTF8.self)
        }
        var wanted: [String] = segments.map { "k." + $0 }
        wanted += segments.prefix(9).map { $0 + ".z" }
        wanted += (0..<120).map { (j: Int) -> String in "f\(j % 17).g\(j)" }
        let pair = Pair(wanted)
        var keys: [String] = ["", "k", "K", "k.", "f3", "f16.g16"]
        for seg in segments {
            keys += [seg, "k." + seg, String(seg.dropLast()), seg + "a", seg.uppercased()]
            for pos in [0, 7, 8, 15, 16] where pos < seg.count {
                var b = Array(seg.utf8)
                b[pos] ^= 0x01
                keys.append(String(decoding: b, as: UTF8.self))
            }
        }
        for j in 0..<120 { keys += ["g\(j)", "f\(j % 17).g\(j)", "f\(j % 17)"] }
        // The same keys against a table with a slot of its own for every key
        // (a miss is one compare) and one too full for that (linear probing).
        let probing = Pair(wanted + (0..<3000).map { "h\($0 % 50).i\($0)" })
        XCTAssertTrue(Pair(Array(wanted.prefix(30))).scanner.trie.keys.perfect)
        XCTAssertFalse(probing.scanner.trie.keys.perfect)
        let pad = String(repeating: "p", count: 20)
        for p in [pair, Pair(Array(wanted.prefix(30))), probing] {
            for key in keys {
                let docs = [#"{"k":{"\#(key)":1},"\#(key)":{"z":"v"},"pad":"\#(pad)"}"#,
                            #"{"\#(key)":"v","f\#(key.count % 17)":{"\#(key)":true},"pad":"\#(pad)"}"#,
                            #"{"k":{"\#(key)":1}}"#, #"{"\#(key)":2}"#]
                for doc in docs { guard Self.check(Array(doc.utf8), p) else { return } }
            }
        }
    }
    /// Compact lines (no whitespace: the scanner's member fast path) with
    /// escapes, non-ASCII and literals in values, nested to the depth limit
    /// and past it, each cut at every byte and with a few bytes replaced at
    /// every position, so the fast path hands over to the general step at
    /// every kind of token and at every 64-byte block position.
    func testCompactLinesAtEveryCutAndByte() {
        let pair = Pair(Self.ecsWanted)
        var docs = [#"{"@timestamp":"2026-11-20T00:00:00.000Z","event":{"dataset":"network","outcome":"failure"},"source":{"ip":"10.1.10.87","port":48491,"bytes":219072},"destination":{"ip":"10.0.1.251","port":3306},"network":{"transport":"tcp"}}"#,
                    #"{"event.outcome":"success","user.name":"w\u00e9king\\4","source.ip":"10.1.5.210","x":[1,{"a":2}],"host":{},"process":{"command_line":"C:\\Windows\\cmd.exe /c \"x\"","parent":{"command_line":"é€😀"}},"a":{"ParentCommandLine":null},"ok":true,"no":false,"n":-1.5e+3}"#,
                    #"{"winlog":{"event_data":{"EventXML":{"Address":"10.0.0.1"}}},"source":{"ip":"\"quoted\"","port":0},"source.port":-0,"x":"\u0041"}"#,
                    #"{"network":{"transport":"tcp"},"x":[{"a":{"b":2}},{"c":3}],"network":{"a":{"b":1}},"host":{"name":{"x":{}}}}"#]
        for depth in [FieldScanner.maxDepth - 1, FieldScanner.maxDepth, FieldScanner.maxDepth + 1] {
            docs.append(String(repeating: #"{"x":"#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1))
            docs.append(String(repeating: #"{"source":"#, count: depth - 1) + #"{"ip":"1"}"# + String(repeating: "}", count: depth - 1))
        }
        for doc in docs {
            let bytes = Array(doc.utf8)
            guard Self.check(bytes, pair) else { return }
            for cut in 0...bytes.count { guard Self.check(Array(bytes[0..<cut]), pair) else { return } }
            for shift in 1..<64 {  // every token at every position in a 64-byte block
                let shifted = Array((#"{"pad":""# + String(repeating: "p", count: shift) + #"","# + doc.dropFirst()).utf8)
                for cut in stride(from: shifted.count, to: 0, by: -7) { guard Self.check(Array(shifted[0..<cut]), pair) else { return } }
            }
            for pos in 0..<bytes.count {
                for b: UInt8 in [0x22, 0x5c, 0x20, 0x2c, 0x3a, 0x7b, 0x7d, 0x5b, 0x31, 0x80, 0x01] {
                    var m = bytes
                    m[pos] = b
                    guard Self.check(m, pair) else { return }
                }
            }
        }
    }
}
