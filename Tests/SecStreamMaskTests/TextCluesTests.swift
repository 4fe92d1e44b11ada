import CJSONScan
import Foundation
@testable import SecStreamCore
@testable import SecStreamMask
import XCTest

/// `TextClues` lets a pattern kind's regex be skipped: sound only if every
/// text the regex matches shows the clue. Checked against RE2 itself on
/// texts built to match each kind, near misses and random bytes.
final class TextCluesTests: XCTestCase {
    private var rng = SystemRandomNumberGenerator()

    private func piece() -> String {
        let pieces = ["user@example.com", "a.b@c-d.org", "https://bob:hunter2@host/x", "ftp://u:p@h", "Bearer abc.def-ghi",
                      "bEaReR\ttoken==", "AKIAABCDEFGHIJKLMNOP", "ASIA0123456789ABCDEF", "AKIA0123", "4111 1111 1111 1111",
                      "4111-1111-1111-1111", "4111111111111111", "1234 5678 9012 3", "12 34", "1--2", "fe80::1", "::", "a:b",
                      "2001:db8::8a2e:370:7334", "1.2.3.4", "10.0.0.1:22", "999.1.1.1", "1.2.3", "01.2.3.4", "x@y", "://",
                      "@", ".", ":", "-", " ", "A", "b", "é", "\u{1b}", "bearer", "KIA", "0", "9", "_", "x"]
        return pieces.randomElement(using: &rng)!
    }

    private func text() -> [UInt8] {
        var s = ""
        for _ in 0..<Int.random(in: 1...6, using: &rng) { s += piece() + [" ", "", "-", ",", "x", "1", ":"].randomElement(using: &rng)! }
        // Filler before it now and then, so the pieces straddle the clue pass's 64-byte chunks.
        if Bool.random(using: &rng) {
            let filler = [" ", "x", "1", "-", "A", ":", "."].randomElement(using: &rng)!
            s = String(repeating: filler, count: Int.random(in: 0...140, using: &rng)) + s
        }
        var bytes = Array(s.utf8)
        for _ in 0..<Int.random(in: 0...2, using: &rng) where !bytes.isEmpty {
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        }
        return bytes
    }

    func testEveryRegexMatchShowsItsClue() {
        let rules = TextPatterns.Kind.allCases.map(TextPatterns.builtin)
        var matched = [String: Int]()
        for _ in 0..<20_000 {
            let t = text()
            t.withUnsafeBytes { bytes in
                let clues = TextClues(bytes)
                // Exactly the texts JSON escaping writes differently.
                var escaped: [UInt8] = []
                JSONWriter.escaped(bytes, into: &escaped)
                XCTAssertEqual(clues.needsEscape, bytes.contains { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 || $0 >= 0x80 })
                if !clues.needsEscape { XCTAssertEqual(escaped, Array(bytes)) }
                for rule in rules where rule.regex.find(in: bytes, from: 0) != nil {
                    matched[rule.name, default: 0] += 1
                    XCTAssertTrue(clues.allow(rule), "\(rule.name) matches \(Array(bytes)) but its clue is missing")
                }
            }
        }
        // Every kind was matched often enough for the check to mean something.
        for rule in rules { XCTAssertGreaterThan(matched[rule.name, default: 0], 100, rule.name) }
    }

    /// The pass this CPU takes (32-byte AVX2 blocks where it has them) and
    /// the 16-byte pass give the same clues, on texts of every length around
    /// the blocks' and chunks' edges.
    func testBlockWidthsGiveTheSameClues() throws {
        // On a CPU with AVX2 the pass this CPU takes must be the 32-byte one,
        // or the comparison below is the 16-byte pass against itself.
        let cpu = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = cpu.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ")) } ?? []
        XCTAssertEqual(secstream_text_clues_block_width(), flags.contains("avx2") && flags.contains("popcnt") && flags.contains("bmi1") ? 32 : 16)
        var compared = 0
        for round in 0..<20_000 {
            var t = text()
            if round % 4 == 0 { t = Array(t.prefix(Int.random(in: 0...40, using: &rng))) }
            t.withUnsafeBytes { bytes in
                let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
                var wide = secstream_text_clues_t(), narrow = secstream_text_clues_t()
                secstream_text_clues(p, bytes.count, &wide)
                secstream_text_clues_16(p, bytes.count, &narrow)
                XCTAssertEqual([wide.at, wide.scheme_separator, wide.dot, wide.aws_prefix, wide.bearer, wide.long_digit_run, wide.needs_escape],
                               [narrow.at, narrow.scheme_separator, narrow.dot, narrow.aws_prefix, narrow.bearer, narrow.long_digit_run,
                                narrow.needs_escape], "\(t)")
                XCTAssertEqual(wide.colons, narrow.colons, "\(t)")
                compared += 1
            }
        }
        XCTAssertEqual(compared, 20_000)
    }

    func testCluesOfPlainTextRuleEverythingOut() {
        let clues = Array("Accepted password for alice from host port ssh".utf8).withUnsafeBytes { TextClues($0) }
        for kind in TextPatterns.Kind.allCases { XCTAssertFalse(clues.allow(TextPatterns.builtin(kind)), kind.rawValue) }
    }

    /// The free-text paths (`maskText`, and `appendMaskedText`: the rules
    /// through kept buffers, escaped once) give the reference's bytes: RE2
    /// running every rule on every text (`ReferenceTextPatterns`), then
    /// `JSONWriter.escaped`. Built-ins in every
    /// order the parser allows, with and without custom rules (one matching
    /// the empty string), on texts dense in every kind, with stray bytes.
    func testPatternsAreRE2RunningEveryRule() throws {
        let env = ["SECSTREAM_MASK_KEY": String(repeating: "0123456789abcdef", count: 4)]
        let policies = [
            "fields: {message: patterns}",
            "fields: {message: patterns}\npatterns: {builtin: [ipv4, email]}",
            "fields: {message: patterns}\npatterns: {custom: [{name: ticket, regex: 'T-[0-9]+'}, {name: dash, regex: '-*'}]}",
            "fields: {message: patterns}\npatterns: {builtin: [card, ipv6], custom: [{name: host, regex: '[a-z]+\\.[a-z]{2,}'}]}",
        ]
        var changed = 0
        for yaml in policies {
            let masker = EventMasker(policy: try MaskPolicyParser.parse(yaml, file: "p.yaml", environment: env))
            for _ in 0..<4_000 {
                let t = text()
                let reference = ReferenceTextPatterns.apply(masker.policy.patterns, t, masker: masker)
                XCTAssertEqual(masker.maskText(t), reference, "\(yaml): \(t)")
                var expected: [UInt8] = []
                reference.withUnsafeBytes { JSONWriter.escaped($0, into: &expected) }
                var got: [UInt8] = [0x78]  // appended after what is there
                t.withUnsafeBytes { masker.appendMaskedText($0, clues: TextClues($0), into: &got) }
                XCTAssertEqual(Array(got.dropFirst()), expected, "\(yaml): \(t)")
                if reference != t { changed += 1 }
            }
        }
        XCTAssertGreaterThan(changed, 5_000)
    }
}

/// The free-text pairs (`replaceKnown`, through two buffers taking turns)
/// against a plain left-to-right replacement, pair after pair, with several pairs
/// found in one text one after the other (a later pair may occur in an
/// earlier pair's replacement), replacements longer and shorter than what
/// they replace, and pairs that never occur.
final class ReplaceKnownTests: XCTestCase {
    /// Each pair in turn: every non-overlapping occurrence, left to right.
    private func reference(_ text: [UInt8], _ pairs: [(raw: [UInt8], masked: [UInt8])]) -> [UInt8] {
        var current = text
        for (raw, masked) in pairs where !raw.isEmpty {
            var out: [UInt8] = [], i = 0
            while i < current.count {
                if i + raw.count <= current.count && Array(current[i..<(i + raw.count)]) == raw {
                    out += masked
                    i += raw.count
                } else {
                    out.append(current[i])
                    i += 1
                }
            }
            current = out
        }
        return current
    }

    func testBufferFormIsAPlainReplacement() {
        var rng = SystemRandomNumberGenerator()
        let words = ["alice", "bob", "web-1", "u_1234", "[redacted]", "x", "alice2", " ", "10.0.0.1"]
        var found = 0
        for _ in 0..<20_000 {
            var pairs: [(raw: [UInt8], masked: [UInt8])] = []
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                pairs.append((Array(words.randomElement(using: &rng)!.utf8),
                              Array(words.randomElement(using: &rng)!.utf8) + (Bool.random(using: &rng) ? Array("_long_tail".utf8) : [])))
            }
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 0...8, using: &rng) { text += Array(words.randomElement(using: &rng)!.utf8) }
            let expected = reference(text, pairs)
            let all = pairs.flatMap { $0.raw + $0.masked }
            var spans: [(Range<Int>, Range<Int>)] = []
            var at = 0
            for pair in pairs {
                spans.append((at..<(at + pair.raw.count), (at + pair.raw.count)..<(at + pair.raw.count + pair.masked.count)))
                at += pair.raw.count + pair.masked.count
            }
            all.withUnsafeBytes { a in
                var buffers = (MaskedBytes(), MaskedBytes())
                var out = MaskedBytes()
                out.write(Array("x".utf8))
                text.withUnsafeBytes { t in
                    EventMasker.replaceKnown(in: t, count: pairs.count,
                                             raw: { UnsafeRawBufferPointer(rebasing: a[spans[$0].0]) },
                                             masked: { UnsafeRawBufferPointer(rebasing: a[spans[$0].1]) },
                                             buffers: &buffers, into: &out)
                }
                XCTAssertEqual(Array(out.bytes.dropFirst()), expected, "\(String(decoding: text, as: UTF8.self)) \(pairs)")
                out.deallocate(); buffers.0.deallocate(); buffers.1.deallocate()
            }
            if expected != text { found += 1 }
        }
        XCTAssertGreaterThan(found, 5_000)
    }
}
