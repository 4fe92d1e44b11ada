import Foundation
import XCTest
import TestSupport
@testable import SecStreamCore

/// The literal prefilter in `DetectionMatcherSet`: needles derived from rules,
/// and a differential check that prefiltered matching (with the route index)
/// gives exactly the matches (same rules, same order) of testing every route
/// and evaluating every rule of the routes that hold.
final class PrefilterTests: XCTestCase {
    private func load(_ rules: [RuleSource], pipelineText: String? = nil) throws -> RuleSet {
        let pipelines = try pipelineText.map { [try PipelineParser.parse($0, source: "test-pipeline.yml", defaultName: "test")] } ?? []
        return try RuleLoader(pipelines: pipelines).load(sources: rules)
    }

    private func rule(_ id: String, _ detection: String) -> RuleSource {
        RuleSource(name: "\(id).yml", text: "title: \(id)\nid: \(id)\nlogsource:\n  product: test\ndetection:\n\(detection)\n")
    }

    private func needles(_ detection: String) throws -> [String]? {
        let set = try load([rule("r", detection)])
        return RuleNeedles.of(set.detections[0].matcher.root).map { ns in
            ns.map { String(decoding: $0.bytes, as: UTF8.self) + ($0.caseless ? "" : "/cased") }.sorted()
        }
    }

    func testNeedlesFollowTheCondition() throws {
        XCTAssertEqual(try needles("  sel:\n    Image|endswith: '\\Whoami.exe'\n  condition: sel"), ["\\whoami.exe"])
        XCTAssertEqual(try needles("  sel:\n    Image: 'C:\\Wi*\\lon?gest*x'\n  condition: sel"), ["c:\\wi"], "wildcards split runs")
        XCTAssertEqual(try needles("  sel:\n    Image|contains|cased: 'Mimi'\n  condition: sel"), ["Mimi/cased"])
        XCTAssertEqual(try needles("  a:\n    Image|endswith: '\\x.exe'\n  b:\n    CommandLine|contains: 'abcdefghij'\n  condition: a and b"),
                       ["abcdefghij"], "AND keeps the most selective child")
        XCTAssertEqual(try needles("  a:\n    Image|endswith: '\\x.exe'\n  b:\n    CommandLine|contains: 'abcdefghij'\n  condition: a or b"),
                       ["\\x.exe", "abcdefghij"], "OR needs every child")
        XCTAssertNil(try needles("  a:\n    Image|endswith: '\\x.exe'\n  b:\n    Count|gt: 3\n  condition: a or b"), "a child without needles")
        XCTAssertNil(try needles("  a:\n    Image|endswith: '\\x.exe'\n  condition: not a"))
        XCTAssertNil(try needles("  a:\n    Image: ['\\x.exe', null]\n  condition: a"), "a missing field matches")
        XCTAssertEqual(try needles("  a:\n    Image|re: 'x[0-9]abc.*'\n  condition: a"), (0...9).map { "x\($0)abc" },
                       "a regex needs one of RE2's prefilter atoms (caseless)")
        XCTAssertNil(try needles("  a:\n    Image|re: '\\d+\\.\\d+'\n  condition: a"), "a regex without literal is always confirmed")
        XCTAssertEqual(try needles("  a:\n    Image|contains|all: ['ab', 'abcdef']\n  condition: a"), ["abcdef"])
        XCTAssertEqual(try needles("  a:\n    - 'evil thing'\n  condition: a"), ["evil thing"], "keywords")
        XCTAssertEqual(try needles("  a:\n    CommandLine|windash|contains: ' -enc '\n  condition: a").map { $0.count }, 5, "windash variants")
    }

    /// Every SigmaHQ Windows rule through a Windows-like pipeline, on events
    /// built from the rules' own literals (instantiated wildcards, case
    /// changes, JSON escapes, arrays) plus noise.
    func testPrefilterMatchesEvaluatingEveryRuleOnSigmaHQWindowsSkippedOnCPUsWithoutSSSE3() throws {
        try XCTSkipUnless(LiteralPrefilter.platformSupported, "Hyperscan needs SSSE3")
        let root = TestPaths.sharedDirectory + "/testdata/sigmahq/rules/windows"
        let pipelineURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../bench/pipelines/windows-sysmon-bench.yml").standardized
        let pipeline = try String(contentsOf: pipelineURL, encoding: .utf8)
        let sources = try RuleLoader.sources(atPaths: [root])
        XCTAssertGreaterThan(sources.count, 2000, "SigmaHQ Windows rules in \(root)")
        let set = try load(sources, pipelineText: pipeline)
        XCTAssertGreaterThan(set.detections.count, 1500)
        let routes: [(String, Int?)] = [
            ("Microsoft-Windows-Sysmon/Operational", 1), ("Microsoft-Windows-Sysmon/Operational", 1),
            ("Microsoft-Windows-Sysmon/Operational", 7), ("Microsoft-Windows-Sysmon/Operational", 13),
            ("Microsoft-Windows-Sysmon/Operational", 11), ("Microsoft-Windows-Sysmon/Operational", 3),
            ("Microsoft-Windows-PowerShell/Operational", 4104), ("Security", 4688), ("Security", 4624),
            ("System", 7045), ("Application", 1000),
        ]
        try differential(set, events: 20000, seed: 1, routes: routes, minimumMatches: 1000)
    }

    /// Small random rules (selections of random literals and modifiers,
    /// and/or/not, keywords, lists, `|all`) over a small alphabet, so needles
    /// collide and hit often.
    func testPrefilterMatchesEvaluatingEveryRuleOnRandomRulesSkippedOnCPUsWithoutSSSE3() throws {
        try XCTSkipUnless(LiteralPrefilter.platformSupported, "Hyperscan needs SSSE3")
        var rng = SplitMix(seed: 42)
        let fields = ["a", "b", "c", "d.e"]
        let words = ["ab", "abc", "xyz", "Foo", "foo\\bar", "q?z", "zz*y", "é", "bar baz", "a\"b"]
        let mods = ["", "|contains", "|startswith", "|endswith", "|contains|all", "|cased", "|contains|cased", "|re", "|windash|contains"]
        func value() -> String {
            let w = words[rng.below(words.count)]
            return "'" + w.replacingOccurrences(of: "'", with: "''") + "'"
        }
        var sources: [RuleSource] = []
        for r in 0..<300 {
            var det = ""
            let selections = 1 + rng.below(3)
            for s in 0..<selections {
                det += "  s\(s):\n"
                if rng.below(8) == 0 {
                    det += "    - \(value())\n"
                    continue
                }
                let first = rng.below(fields.count)
                for k in 0..<(1 + rng.below(2)) {
                    var m = mods[rng.below(mods.count)]
                    let f = fields[(first + k) % fields.count]
                    if m == "|re" {
                        let res = ["'ab.*'", "'foo.*bar'", "'x[yz]{2}Foo'", "'^abc'", "'(bar|baz)qq'"]
                        det += "    \(f)|re\(rng.below(2) == 0 ? "|i" : ""): \(res[rng.below(res.count)])\n"
                        continue
                    }
                    if rng.below(6) == 0 { m = "|exists"; det += "    \(f)\(m): true\n"; continue }
                    if rng.below(3) == 0 {
                        det += "    \(f)\(m):\n"
                        for _ in 0..<(1 + rng.below(3)) { det += "      - \(value())\n" }
                        if rng.below(8) == 0 { det += "      - null\n" }
                    } else {
                        det += "    \(f)\(m): \(value())\n"
                    }
                }
            }
            var terms = (0..<selections).map { rng.below(4) == 0 ? "not s\($0)" : "s\($0)" }
            var cond = terms.removeFirst()
            for t in terms { cond = "(\(cond)) \(rng.below(2) == 0 ? "and" : "or") \(t)" }
            det += "  condition: \(cond)"
            sources.append(rule("r\(r)", det))
        }
        let set = try RuleLoader().load(sources: sources)
        XCTAssertGreaterThan(set.detections.count, 250)
        try differential(set, events: 20000, seed: 7, routes: [], minimumMatches: 1000)
    }

    /// The eight-bytes-at-a-time non-ASCII (and backslash) check agrees with a byte loop.
    func testNonASCIICheckAgreesWithAByteLoop() {
        var rng = SplitMix(seed: 9)
        for _ in 0..<20000 {
            let n = rng.below(40)
            let bytes = (0..<n).map { _ -> UInt8 in
                switch rng.below(20) {
                case 0: return 0x80 | UInt8(rng.below(128))
                case 1: return 0x5c
                default: return 0x20 + UInt8(rng.below(0x5c - 0x20))
                }
            }
            bytes.withUnsafeBytes { raw in
                XCTAssertEqual(LiteralPrefilter.hasNonASCII(raw, orBackslash: false), bytes.contains { $0 >= 0x80 }, "\(bytes)")
                XCTAssertEqual(LiteralPrefilter.hasNonASCII(raw, orBackslash: true), bytes.contains { $0 >= 0x80 || $0 == 0x5c }, "\(bytes)")
            }
        }
    }

    /// `--rule-cache`: the second build of the same rules reads every
    /// database from the cache and matches exactly as a fresh compile does; a
    /// corrupt or truncated file is compiled again and rewritten; a directory
    /// others may write to is refused.
    func testCompiledDatabasesComeBackFromTheCacheSkippedOnCPUsWithoutSSSE3() throws {
        try XCTSkipUnless(LiteralPrefilter.platformSupported, "Hyperscan needs SSSE3")
        let directory = NSTemporaryDirectory() + "prefilter-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = try PrefilterCache(directory: directory)
        var sources: [RuleSource] = []
        for r in 0..<80 {
            sources.append(rule("r\(r)", "  a:\n    a|contains: 'needle\(r)x'\n  b:\n    b|re: 'pre\(r)[0-9]+post'\n  condition: a or b"))
        }
        let set = try load(sources)
        let fresh = DetectionMatcherSet(set.detections)
        let first = DetectionMatcherSet(set.detections, cache: cache)
        let databases = try XCTUnwrap(first.prefilter).databaseCount
        XCTAssertGreaterThanOrEqual(databases, 2)
        XCTAssertEqual(first.prefilter?.cachedDatabases, 0, "an empty cache")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".hsdb") }.sorted()
        XCTAssertEqual(files.count, databases)
        let second = DetectionMatcherSet(set.detections, cache: cache)
        XCTAssertEqual(second.prefilter?.cachedDatabases, databases, "every database from the cache")

        // Break every file: flipped bytes in one, truncation in the others.
        for (k, f) in files.enumerated() {
            let path = directory + "/" + f
            var data = try XCTUnwrap(FileManager.default.contents(atPath: path))
            if k == 0 { for i in stride(from: data.count / 2, to: data.count, by: 7) { data[i] ^= 0x5A } } else { data = data.prefix(data.count - 3) }
            try data.write(to: URL(fileURLWithPath: path))
        }
        let third = DetectionMatcherSet(set.detections, cache: cache)
        XCTAssertEqual(third.prefilter?.cachedDatabases, 0, "broken files are compiled again")
        XCTAssertEqual(DetectionMatcherSet(set.detections, cache: cache).prefilter?.cachedDatabases, databases, "and rewritten")

        for (k, line) in ["{\"a\":\"xxneedle7xx\"}", "{\"b\":\"pre12post\"}", "{\"b\":\"pre12345post\",\"a\":\"needle79X\"}",
                          "{\"a\":\"needle\"}", "{\"b\":\"pre3post\"}", "{\"b\":\"PRE12post\"}"].enumerated() {
            let event = JSONTestEvent(line, schema: set.schema)
            var expected: [Int] = []
            fresh.forEachMatch(event.view) { expected.append($0) }
            for m in [second, third] {
                var got: [Int] = []
                m.forEachMatch(event.view) { got.append($0) }
                XCTAssertEqual(got, expected, "event \(k)")
            }
            if k < 3 { XCTAssertFalse(expected.isEmpty, "event \(k) matches") }
        }

        // A file no run used for longer than the lifetime goes at the next write; used files and others stay.
        let stale = directory + "/" + String(repeating: "0", count: 32) + ".hsdb"
        let other = directory + "/notes.txt"
        for f in [stale, other] { XCTAssertTrue(FileManager.default.createFile(atPath: f, contents: Data("x".utf8))) }
        let old = Date().addingTimeInterval(-PrefilterCache.unusedLifetime - 3600)
        for f in [stale, other] { try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: f) }
        let kept = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".hsdb") && !stale.hasSuffix($0) }
        for f in kept { try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: directory + "/" + f) }
        _ = DetectionMatcherSet(set.detections, cache: cache)  // every database read back: each file touched
        let extra = try load([rule("extra", "  a:\n    a|contains: 'only-in-this-pack'\n  condition: a")] + sources)
        _ = DetectionMatcherSet(extra.detections, cache: cache)  // new databases written: the sweep runs
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        XCTAssertFalse(after.contains(String(stale.split(separator: "/").last!)), "the unused file is gone")
        XCTAssertTrue(after.contains("notes.txt"), "only cache files are swept")
        for f in kept { XCTAssertTrue(after.contains(f), "\(f): used by a run, so kept") }

        let shared = directory + "/shared"
        XCTAssertEqual(mkdir(shared, 0o777), 0)
        XCTAssertEqual(chmod(shared, 0o777), 0)
        XCTAssertThrowsError(try PrefilterCache(directory: shared), "a directory others may write to")
    }

    // MARK: - the differential

    private struct Literal {
        let fields: [FieldID]
        let tokens: [Int16]
        let caseless: Bool
    }

    private func differential(_ set: RuleSet, events: Int, seed: UInt64, routes: [(String, Int?)],
                              minimumMatches: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let filtered = DetectionMatcherSet(set.detections)
        let unescaped = UnescapeCache(fieldCount: set.schema.count)
        defer { unescaped.deallocate() }
        XCTAssertNotNil(filtered.prefilter, "prefilter built", file: file, line: line)
        XCTAssertGreaterThan(filtered.needleCount, 0, file: file, line: line)
        // Per rule, the literals of its tests (to build events that match it).
        var perRule: [[Literal]] = []
        var pool: [Literal] = []
        for d in set.detections {
            var lits: [Literal] = []
            collect(d.matcher.root, into: &lits)
            perRule.append(lits)
            pool += lits
        }
        XCTAssertFalse(pool.isEmpty)
        var rng = SplitMix(seed: seed)
        var matches = 0
        var candidatesSeen = 0
        for i in 0..<events {
            var values: [String: Any] = [:]
            if !routes.isEmpty {
                // Route values also as events may write them otherwise (case, arrays, strings,
                // missing): the route index must read them as the route tests do.
                let (channel, eventID) = routes[rng.below(routes.count)]
                switch rng.below(10) {
                case 0: values["Event.System.Channel"] = channel.uppercased()
                case 1: values["Event.System.Channel"] = ["other", channel]
                case 2: break
                default: values["Event.System.Channel"] = channel
                }
                if let eventID {
                    switch rng.below(10) {
                    case 0: values["Event.System.EventID"] = "\(eventID)"
                    case 1: values["Event.System.EventID"] = [1, eventID]
                    case 2: values["Event.System.EventID"] = "\(eventID).0"
                    default: values["Event.System.EventID"] = eventID
                    }
                }
            }
            // Literals of one or two rules (whole rules match now and then), plus random ones.
            for _ in 0..<(1 + rng.below(2)) {
                let lits = perRule[rng.below(perRule.count)]
                for l in lits where rng.below(4) != 0 { put(l, &values, set.schema, &rng) }
            }
            for _ in 0..<rng.below(4) { put(pool[rng.below(pool.count)], &values, set.schema, &rng) }
            let json = Self.json(values)
            let event = JSONTestEvent(json, schema: set.schema)
            var want: [Int] = []
            var got: [Int] = []
            withExtendedLifetime(event) {
                filtered.forEachMatchUnfiltered(event.view) { want.append($0) }
                // Prefiltered as a worker runs it: escaped values unescaped once per event and kept.
                unescaped.reset(lineLength: event.view.line.count)
                let cached = EventView(line: event.view.line, slots: event.view.slots, unescaped: unescaped)
                filtered.forEachMatch(cached) { got.append($0) }
                var again: [Int] = []
                filtered.forEachMatch(cached) { again.append($0) }
                XCTAssertEqual(again, got, "event \(i): the same matches from the values already unescaped", file: file, line: line)
            }
            if want != got {
                XCTFail("event \(i): prefiltered \(got.map { set.detections[$0].meta.id }) != every rule \(want.map { set.detections[$0].meta.id })\n\(json)",
                        file: file, line: line)
                return
            }
            matches += want.count
            candidatesSeen += 1
        }
        XCTAssertGreaterThanOrEqual(matches, minimumMatches, "events built from the rules match some of them", file: file, line: line)
    }

    private func collect(_ node: MatchNode, into out: inout [Literal]) {
        switch node {
        case .field(let t):
            for v in t.pointee.tests {
                if case .string(let p) = v { out.append(Literal(fields: Array(t.pointee.candidates), tokens: tokens(p), caseless: !p.caseSensitive)) }
                // Plain numbers (number needles): written as text, a JSON number (now and then), in arrays.
                if case .numberEquals(let d) = v, d == d.rounded(), abs(d) < 1e15 {
                    out.append(Literal(fields: Array(t.pointee.candidates), tokens: String(Int(d)).utf8.map { Int16($0) }, caseless: false))
                }
            }
        case .keywords(let k):
            // Keywords match the JSON-escaped line; a value put in any field shows up there escaped.
            for p in k.pointee.patterns {
                let unescaped = tokens(p).map { $0 }  // escaped form; good enough as noise too
                out.append(Literal(fields: [], tokens: unescaped, caseless: !p.caseSensitive))
            }
        case .and(let c), .or(let c): for x in c { collect(x, into: &out) }
        case .not(let inner): collect(inner.pointee, into: &out)
        case .fieldPair, .constant: break
        }
    }

    private func tokens(_ p: StringPattern) -> [Int16] {
        let lit = p.literal.map { Int16($0) }
        switch p.shape {
        case .anything: return [StringPattern.anyRunToken]
        case .exact: return lit
        case .prefix: return lit + [StringPattern.anyRunToken]
        case .suffix: return [StringPattern.anyRunToken] + lit
        case .contains: return [StringPattern.anyRunToken] + lit + [StringPattern.anyRunToken]
        case .glob: return Array(p.glob)
        }
    }

    private static let noise: [String] = ["", "x", "C:\\Windows\\", " -a ", "é", "\"", "/", "ABC", "%", "\\\\", "\u{1F600}", "\t", "ß", "\u{212A}", "\u{17F}", "ss", "K"]

    /// Sets one of `l`'s fields to a string its pattern matches (mostly).
    private func put(_ l: Literal, _ values: inout [String: Any], _ schema: FieldSchema, _ rng: inout SplitMix) {
        var bytes: [UInt8] = []
        for t in l.tokens {
            if t == StringPattern.anyRunToken {
                bytes += Array(Self.noise[rng.below(Self.noise.count)].utf8)
            } else if t == StringPattern.anyCharacterToken {
                bytes += Array(["q", "é", "Z", "?"][rng.below(4)].utf8)
            } else {
                var b = UInt8(t)
                if l.caseless, b >= 97, b <= 122, rng.below(2) == 0 { b -= 32 }
                bytes.append(b)
            }
        }
        // Now and then break the value: drop a byte (near misses).
        if !bytes.isEmpty, rng.below(10) == 0 { bytes.remove(at: rng.below(bytes.count)) }
        let text = String(decoding: bytes, as: UTF8.self)
        let path: String
        if l.fields.isEmpty {
            path = "Event.EventData.Message"
        } else {
            path = schema.paths[l.fields[rng.below(l.fields.count)]]
        }
        switch rng.below(12) {
        case 0: values[path] = ["noise", text]
        case 1: values[path] = Double(rng.below(100))
        case 2: values[path] = Double(text) ?? text
        default: values[path] = text
        }
    }

    /// Nested JSON from dotted paths (a path under a non-object is dropped).
    private static func json(_ values: [String: Any]) -> String {
        var root: [String: Any] = [:]
        func set(_ dict: inout [String: Any], _ keys: ArraySlice<String>, _ value: Any) {
            let k = keys.first!
            if keys.count == 1 {
                if dict[k] == nil { dict[k] = value }
                return
            }
            var child: [String: Any]
            if let existing = dict[k] {
                guard let d = existing as? [String: Any] else { return }
                child = d
            } else {
                child = [:]
            }
            set(&child, keys.dropFirst(), value)
            dict[k] = child
        }
        for (path, value) in values.sorted(by: { $0.key < $1.key }) {
            set(&root, ArraySlice(path.split(separator: ".").map(String.init)), value)
        }
        let data = try! JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
