import Foundation
import SecStreamCore
import SecStreamMask
import XCTest

/// `maskLine` splices masked values into the line instead of walking it byte
/// by byte; these check it gives the walker's bytes exactly, over generated
/// events with nested, flat and mixed keys, escapes, arrays, whitespace,
/// duplicates, missing fields and free text that repeats masked values.
final class SpliceMaskingTests: XCTestCase {
    static let env = ["SECSTREAM_MASK_KEY": String(repeating: "0123456789abcdef", count: 4)]

    static let policies = [
        "fields: {user.name: hmac, source.ip: cryptopan, destination.ip: cryptopan, message: patterns}",
        "fields: {user.name: {action: hmac, length: 12, prefix: \"u_\"}, source.ip: truncate, \"@timestamp\": truncate, host.name: redact, message: patterns, url.original: patterns}",
        "fields: {user: hmac, source.ip: cryptopan, secret: drop, message: patterns}",
        "fields: {user.name: hmac, \"*.ip\": cryptopan, message: patterns}",
        "fields: {user.name: hmac, source.ip: cryptopan, tags: redact, process.args: patterns}",
        // Free text without the ipv4 rule: its addresses stay.
        "fields: {user.name: hmac, source.ip: cryptopan, message: patterns}\npatterns: {builtin: [email, card]}",
    ]

    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        mutating func pick<T>(_ xs: [T]) -> T { xs[Int(next() % UInt64(xs.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
    }

    /// `spaces: false`: no whitespace outside strings (lines the archive masker splices at the slots).
    static func line(_ r: inout Rng, spaces: Bool = true) -> String {
        let users = ["alice", "bob", "carol", "dave", "a\\u00e9b", "x\\\"y", "ö-user", "ab"]
        let ips = ["10.1.2.3", "10.1.2.4", "192.168.7.9", "2001:db8::1", "not-an-ip", "10.1.2.3 ", "8.8.8.8",
                   "010.1.2.3", "1.2.3", "256.1.1.1", "1.2.3.4.5", "0.0.0.0", "255.255.255.255", "1..2.3", "1.2.3.04",
                   "100.200.250.199", "1.2.3.4a", "::ffff:1.2.3.4", "\\u0031.2.3.4"]
        let messages = ["Failed password for alice from 10.1.2.3", "plain text", "mail bob@example.com now",
                        "key AKIAIOSFODNN7EXAMPLE", "card 4111 1111 1111 1111", "Bearer abc.def", "tab\\there \\\"q\\\"",
                        "carol logged in", "10.1.2.4", "nothing 12 to see.", "\\u0041KIAIOSFODNN7EXAMPLE", "é ü",
                        // Two masked values in one text (user and host): the pairs replaced one after the other.
                        "alice on web-1 as alice", "web-1: carol, then bob on web-1",
                        "mail from alice@example.com via 10.1.2.3 to x@y.io", "a@b.cc 1.2.3.4@host.org",
                        // Quads past the two the plan finds (the splice searches after them), and next to each other.
                        "10.1.2.3->10.1.2.4", "from 10.1.2.3 to 10.1.2.4 via 8.8.8.8 and 1.2.3.04, then 100.200.250.199",
                        "HTTP/1.1 1.2.3 1.2.3.4.5 10.1.2.3"]
        func ws() -> String { spaces && r.chance(10) ? r.pick([" ", "  ", "\t", " \n "]) : "" }
        func str(_ s: String) -> String { "\"\(s)\"" }
        var members: [String] = []
        func add(_ key: String, _ value: String) { members.append("\(ws())\(str(key))\(ws()):\(ws())\(value)\(ws())") }
        add("@timestamp", r.chance(80) ? str("2026-12-04T17:45:12.345Z") : "1764870312345")
        if r.chance(70) {
            switch r.next() % 4 {
            case 0: add("user.name", str(r.pick(users)))
            case 1: add("user", "{\(ws())\(str("name")):\(str(r.pick(users)))\(r.chance(30) ? ",\"id\":7" : "")}")
            case 2: add("user", "[{\"name\":\(str(r.pick(users)))},\(ws())\"x\"]")
            default: add("user", "{\"na\\u006de\":\(str(r.pick(users)))}")
            }
        }
        if r.chance(80) {
            if r.chance(50) { add("source.ip", str(r.pick(ips))) } else { add("source", "{\"ip\":\(str(r.pick(ips))),\"port\":\(r.next() % 65536)}") }
        }
        if r.chance(40) { add("destination", "{\"ip\":\(r.chance(90) ? str(r.pick(ips)) : "null"),\"bytes\":\(r.next() % 10000)}") }
        if r.chance(60) { add("message", str(r.pick(messages))) }
        if r.chance(20) { add("url", "{\"original\":\(str("https://u:pw@h/x?" + r.pick(users)))}") }
        if r.chance(20) { add("host", r.chance(50) ? "{\"name\":\"web-1\"}" : "{\"name\":[\"a\",\"b\"]}") }
        if r.chance(15) { add("tags", "[\(ws())\"a\",\(ws())1,true,null,[ ],{ \"k\" : \"v\" }]") }
        if r.chance(15) { add("process", "{\"args\":[\"-u\",\(str(r.pick(messages)))],\"pid\":12}") }
        if r.chance(10) { add("secret", str("s3")) }
        if r.chance(10) { add("nested", "{ \"deep\" : { \"user.name\" : \"alice\" } }") }
        if r.chance(8) { add("user.name", str(r.pick(users))) }  // a duplicate
        if r.chance(5) { add("k\\u0065y", "1") }
        if r.chance(5) { add("ключ", str("значение")) }
        if r.chance(3) { add("n", r.pick(["-1.5e3", "true", "false", "null"])) }
        if r.chance(2) { return r.pick(["not json at all alice", "{\"a\":", "[1,2]", "{\"a\":1} trailing", "{}", " { } "]) }
        return "\(ws()){\(members.joined(separator: ","))}\(ws())"
    }

    func testSplicedLinesAreTheWalkersBytes() throws {
        for (index, yaml) in Self.policies.enumerated() {
            let policy = try MaskPolicyParser.parse(yaml, file: "p.yaml", environment: Self.env)
            let masker = EventMasker(policy: policy)
            let reference = EventMasker(policy: policy)
            var r = Rng(state: UInt64(index + 1))
            var buffer: [UInt8] = Array("prefix".utf8)
            for _ in 0..<4000 {
                let text = Self.line(&r)
                Array(text.utf8).withUnsafeBytes { line in
                    let expected = reference.maskLineByWalk(line)
                    XCTAssertEqual(String(decoding: masker.maskLine(line), as: UTF8.self),
                                   String(decoding: expected, as: UTF8.self), "policy \(index): \(text)")
                    // Appending into a buffer that already holds bytes.
                    buffer.removeSubrange(6...)
                    masker.maskLine(line, into: &buffer)
                    XCTAssertEqual(Array(buffer[6...]), expected, "policy \(index), into: \(text)")
                }
            }
            // Both paths run on exact-name policies (the splicing walk never with a wildcard).
            if yaml.contains("*") {
                XCTAssertEqual(masker.linesSpliced, 0)
            } else {
                XCTAssertGreaterThan(masker.linesSpliced, 2000, "policy \(index)")
                XCTAssertLessThan(masker.linesSpliced, 2 * 4000 - 500, "policy \(index)")
            }
        }
    }

    /// `maskScanned` (the archive's path: values spliced at the scanner's
    /// slots, no second walk) gives the walker's bytes on the same lines, with
    /// the policy's fields alone and among detection fields in the schema
    /// (which make the scanner follow more objects and arrays); the slots
    /// decide most lines, and the line shapes that need the walk are seen.
    func testScannedSpliceIsTheWalkersBytes() throws {
        var seen = LineShape()
        let detectionFields = ["@timestamp", "user", "source.port", "destination", "host.name", "process.args", "nested.deep.user.name"]
        for (index, yaml) in Self.policies.enumerated() {
            let policy = try MaskPolicyParser.parse(yaml, file: "p.yaml", environment: Self.env)
            let masker = EventMasker(policy: policy)
            let reference = EventMasker(policy: policy)
            guard let paths = masker.scannedPaths else {
                XCTAssertTrue(yaml.contains("*"), "policy \(index): only wildcard policies are walked")
                continue
            }
            for (extra, spaces) in [([], true), (detectionFields, true), ([], false), (detectionFields, false)] {
                let schema = FieldSchema(paths: extra)
                let fields = paths.map { Int32(schema.intern($0)) }
                let scanner = FieldScanner(schema: schema)
                let slots = UnsafeMutableBufferPointer<FieldSlot>.allocate(capacity: schema.count)
                defer { slots.deallocate() }
                var r = Rng(state: UInt64(index + 11))
                var buffer = MaskedBytes()
                defer { buffer.deallocate() }
                let before = masker.linesSplicedFromSlots, beforeInC = masker.freeTextLinesInC
                for _ in 0..<4000 {
                    let text = Self.line(&r, spaces: spaces)
                    Array(text.utf8).withUnsafeBytes { line in
                        var shape = LineShape()
                        guard scanner.scan(line, into: slots, shape: &shape).isOK else { return }
                        seen.formUnion(shape)
                        // Into a buffer that already holds bytes.
                        buffer.removeAll()
                        buffer.write(Array("prefix".utf8))
                        fields.withUnsafeBufferPointer {
                            masker.maskScanned(line, slots: UnsafeBufferPointer(slots), fields: $0, shape: shape, into: &buffer)
                        }
                        XCTAssertEqual(String(decoding: buffer.bytes[6...], as: UTF8.self),
                                       String(decoding: reference.maskLineByWalk(line), as: UTF8.self), "policy \(index): \(text)")
                    }
                }
                XCTAssertGreaterThan(masker.linesSplicedFromSlots - before, spaces ? 100 : 800, "policy \(index)")
                // Lines with free text whose values are all cached take the C path (the policy
                // without the ipv4 rule never does: its kinds are not the ones that path knows).
                if index <= 3 { XCTAssertGreaterThan(masker.freeTextLinesInC - beforeInC, spaces ? 15 : 100, "policy \(index)") }
                if index == 5 { XCTAssertEqual(masker.freeTextLinesInC, 0, "policy \(index)") }
            }
        }
        XCTAssertEqual(seen, [.whitespace, .unusualKey, .repeatedField, .arrayOnPath])
    }

    /// Each shape the scanner reports, on the smallest line that has it.
    func testScanReportsLineShapes() {
        let schema = FieldSchema(paths: ["user.name", "source.ip"])
        let scanner = FieldScanner(schema: schema)
        let slots = UnsafeMutableBufferPointer<FieldSlot>.allocate(capacity: schema.count)
        defer { slots.deallocate() }
        let cases: [(String, LineShape)] = [
            (#"{"user":{"name":"a"},"source.ip":"1.2.3.4","x":[1,{"y":2}]}"#, []),
            (#" {"a":1}"#, .whitespace), (#"{"a":1} "#, .whitespace), (#"{"a" :1}"#, .whitespace),
            (#"{"a": 1}"#, .whitespace), (#"{"a":1, "b":2}"#, .whitespace), (#"{"a":[1 ]}"#, .whitespace),
            (#"{"a":"x y"}"#, []),
            (#"{"us\u0065r":{"name":"a"}}"#, .unusualKey), (#"{"ключ":1}"#, .unusualKey),
            (#"{"user.name":"a","user":{"name":"b"}}"#, .repeatedField),
            (#"{"source":{"ip":"1"},"source":{"ip":"2"}}"#, .repeatedField),
            (#"{"user":[{"name":"a"}]}"#, .arrayOnPath), (#"{"user":{"name":["a"]}}"#, []),
            (#"{"other":[{"name":"a"}]}"#, []),
        ]
        for (text, expected) in cases {
            var line = text
            line.withUTF8 { bytes in
                var shape: LineShape = [.arrayOnPath]  // cleared by the scan
                XCTAssertTrue(scanner.scan(UnsafeRawBufferPointer(bytes), into: slots, shape: &shape).isOK, text)
                XCTAssertEqual(shape, expected, text)
            }
        }
    }

    /// The splice parses IPv4 text itself (a dotted quad to look up in its
    /// table); the walker asks inet_pton. Random digits and dots, as values
    /// of a Crypto-PAn field, come out the same both ways.
    func testSplicedAddressParsingIsInetPton() throws {
        let policy = try MaskPolicyParser.parse("fields: {source.ip: cryptopan}", file: "p.yaml", environment: Self.env)
        let masker = EventMasker(policy: policy)
        let reference = EventMasker(policy: policy)
        let schema = FieldSchema(paths: ["source.ip"])
        let scanner = FieldScanner(schema: schema)
        let slots = UnsafeMutableBufferPointer<FieldSlot>.allocate(capacity: schema.count)
        defer { slots.deallocate() }
        var out = MaskedBytes()
        defer { out.deallocate() }
        var r = Rng(state: 7)
        let alphabet = Array("0123456789.".utf8) + Array("0125.".utf8)
        for _ in 0..<20000 {
            let length = 1 + Int(r.next() % 17)
            let text = String(decoding: (0..<length).map { _ in r.pick(alphabet) }, as: UTF8.self)
            let line = Array(#"{"source":{"ip":"\#(text)"},"n":1}"#.utf8)
            line.withUnsafeBytes { bytes in
                let expected = reference.maskLineByWalk(bytes)
                XCTAssertEqual(masker.maskLine(bytes), expected, text)
                var shape = LineShape()
                XCTAssertTrue(scanner.scan(bytes, into: slots, shape: &shape).isOK)
                out.removeAll()
                [Int32(0)].withUnsafeBufferPointer {
                    masker.maskScanned(bytes, slots: UnsafeBufferPointer(slots), fields: $0, shape: shape, into: &out)
                }
                XCTAssertEqual(Array(out.bytes), expected, text)
            }
        }
    }

    func testSplicedValuesPinned() throws {
        let policy = try MaskPolicyParser.parse("fields: {user.name: hmac, source.ip: cryptopan, message: patterns}",
                                               file: "p.yaml", environment: Self.env)
        let masker = EventMasker(policy: policy)
        let pseudonym = HMACPseudonym(key: policy.key.bytes, length: 16).pseudonym("alice")
        let ip = masker.cryptoPAnText("10.1.2.3")!
        var line = #"{"user":{"name":"alice"},"source.ip":"10.1.2.3","message":"alice from 10.1.2.3","n":1}"#
        let out = line.withUTF8 { String(decoding: masker.maskLine(UnsafeRawBufferPointer($0)), as: UTF8.self) }
        XCTAssertEqual(out, #"{"user":{"name":"\#(pseudonym)"},"source.ip":"\#(ip)","message":"\#(pseudonym) from \#(ip)","n":1}"#)
        XCTAssertEqual(masker.linesSpliced, 1)
    }

    /// The masker's HMAC (pads hashed once, `HMACContext`) gives `HMAC()`'s pseudonyms.
    func testMaskerHMACIsTheOneShotHMAC() throws {
        let policy = try MaskPolicyParser.parse("fields: {user.name: {action: hmac, length: 64}, user.id: hmac}",
                                               file: "p.yaml", environment: Self.env)
        let masker = EventMasker(policy: policy)
        var r = Rng(state: 99)
        for n in 0..<2000 {
            let value = String((0..<(n % 90)).map { _ in r.pick(Array("abcdefghijklmnopqrstuvwxyz0123456789-_.@é")) })
            XCTAssertEqual(masker.maskValue(field: "user.name", value: value),
                           HMACPseudonym(key: policy.key.bytes, length: 64).pseudonym(value), value)
            XCTAssertEqual(masker.maskValue(field: "user.id", value: value),
                           HMACPseudonym(key: policy.key.bytes, length: 16).pseudonym(value), value)
        }
    }
}
