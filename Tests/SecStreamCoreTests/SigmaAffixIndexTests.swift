import TestSupport
import XCTest
@testable import SecStreamCore

/// `AffixIndex` (hashed exact/startswith/endswith lists) against testing each
/// `StringPattern` in turn, the matcher it replaces for long value lists.
final class SigmaAffixIndexTests: XCTestCase {
    private func withBytes<R>(_ b: [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R {
        b.withUnsafeBytes { body($0) }
    }

    /// Random lists and values drawn from a small alphabet (letters in both
    /// cases, a non-ASCII byte, punctuation), with values built from the
    /// literals so that hits, near misses and overlapping lengths are common.
    func testAgreesWithThePatternLoop() {
        let alphabet: [UInt8] = Array("aAbBzZ.\\-_ 9".utf8) + [0xc3, 0xa9, 0x40, 0x5b]
        var hits = 0, total = 0
        for seed in Fuzz.seeds(1...300) {
            var rng = SplitMix(seed)
            let arena = MatcherArena()
            func word(_ n: Int) -> [UInt8] { (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] } }
            var patterns: [StringPattern] = []
            var literals: [[UInt8]] = []
            for _ in 0..<(AffixIndex.minimumValues + Int(rng.next() % 40)) {
                let lit = word(1 + Int(rng.next() % 20))
                literals.append(lit)
                var tokens = lit.map { SigmaString.Token.byte($0) }
                switch rng.next() % 3 {
                case 0: break
                case 1: tokens.append(.anyRun)
                default: tokens.insert(.anyRun, at: 0)
                }
                patterns.append(StringPattern(SigmaString(tokens: tokens), caseSensitive: false, arena: arena))
            }
            XCTAssertTrue(patterns.allSatisfy(AffixIndex.accepts))
            let index = AffixIndex(patterns, arena: arena)
            for _ in 0..<60 {
                var value: [UInt8]
                switch rng.next() % 4 {
                case 0: value = word(Int(rng.next() % 30))
                case 1: value = literals[Int(rng.next() % UInt64(literals.count))]
                case 2: value = word(Int(rng.next() % 6)) + literals[Int(rng.next() % UInt64(literals.count))] + word(Int(rng.next() % 6))
                default:
                    value = literals[Int(rng.next() % UInt64(literals.count))]
                    if !value.isEmpty { value[Int(rng.next() % UInt64(value.count))] ^= 0x20 }  // flips case, or makes a near miss
                }
                let expected = withBytes(value) { v in patterns.contains { $0.matches(v) } }
                let got = withBytes(value) { index.matches($0) }
                XCTAssertEqual(got, expected, "seed \(seed): value \(value) against \(literals)")
                total += 1
                if expected { hits += 1 }
            }
        }
        XCTAssertGreaterThan(hits, total / 5, "the values exercise hits")
        XCTAssertLessThan(hits, total * 4 / 5, "and misses")
    }

    /// A field test with a long list matches as Sigma says, through the index.
    func testLongListsInRules() throws {
        let dlls = (0..<300).map { "\\lib\($0).dll" }
        let body = """
          selection:
            ImageLoaded|endswith:
        \(dlls.map { "      - '\($0)'" }.joined(separator: "\n"))
          filter:
            ImageLoaded|startswith:
        \((0..<20).map { "      - 'C:\\\\Windows\\\\Sys\($0)\\\\'" }.joined(separator: "\n"))
          condition: selection and not filter

        """
        let rule = try RuleTestSupport.detection(body)
        func hit(_ image: String) throws -> Bool {
            RuleTestSupport.matches(rule, #"{"ImageLoaded":\#(jsonString(image))}"#)
        }
        XCTAssertTrue(try hit(#"C:\Users\x\LIB17.DLL"#))
        XCTAssertTrue(try hit(#"\lib299.dll"#))
        XCTAssertFalse(try hit(#"C:\Users\x\lib300.dll"#))
        XCTAssertFalse(try hit(#"C:\Windows\SYS3\lib17.dll"#), "the startswith filter (20 values, indexed) excludes it")
        XCTAssertTrue(try hit(#"C:\Windows\Sys30\lib17.dll"#))
    }

    private func jsonString(_ s: String) -> String {
        String(data: try! JSONSerialization.data(withJSONObject: s, options: .fragmentsAllowed), encoding: .utf8)!
    }
}

final class MatcherLayoutTests: XCTestCase {
    /// The matcher reads field tests in place through pointers, but a test
    /// that grows past a cache line is copied with `memmove` where Swift
    /// cannot borrow it (the affix index, held inline, did that to every test).
    func testFieldTestFitsACacheLine() {
        XCTAssertLessThanOrEqual(MemoryLayout<FieldTest>.size, 64, "FieldTest is \(MemoryLayout<FieldTest>.size) bytes")
    }
}
