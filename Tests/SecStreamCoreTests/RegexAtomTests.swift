import Foundation
import XCTest
import TestSupport
@testable import SecStreamCore

/// The prefilter's needles for `|re` values: RE2's own prefilter atoms
/// (`SigmaRegex.necessaryAtoms`). The property the prefilter rests on: when
/// the regex matches a value, one of its atoms occurs in the value (ASCII
/// case folded), or the value has a non-ASCII byte (where the prefilter counts
/// a hit anyway). Checked on random regexes built together with a string each
/// matches, and on every `|re` value of the SigmaHQ snapshot.
final class RegexAtomTests: XCTestCase {
    private let arena = MatcherArena()

    private func compile(_ pattern: String, caseless: Bool = false, multiLine: Bool = false, dotAll: Bool = false) -> SigmaRegex? {
        var flags: SigmaRegex.Flags = []
        if caseless { flags.insert(.caseInsensitive) }
        if multiLine { flags.insert(.multiLine) }
        if dotAll { flags.insert(.dotAll) }
        guard case .regex(let r) = SigmaRegex.compile(pattern, flags: flags, arena: arena) else { return nil }
        return r
    }

    private func atoms(_ pattern: String, caseless: Bool = false) -> [String]? {
        compile(pattern, caseless: caseless)?.necessaryAtoms.map { $0.map { String(decoding: $0, as: UTF8.self) }.sorted() }
    }

    func testAtomsAreWhatAMatchNeeds() {
        XCTAssertEqual(atoms("mimikatz"), ["mimikatz"])
        XCTAssertEqual(atoms("MimiKatz", caseless: true), ["mimikatz"], "atoms are lower-cased")
        XCTAssertEqual(atoms("(invoke-expression|iex)\\("), ["iex(", "invoke-expression("], "an alternation needs one branch")
        XCTAssertEqual(atoms("powershell.*-enc(odedcommand)?\\s"), ["powershell"], "a concatenation keeps the longest necessary literal")
        XCTAssertNil(atoms(".*"), "nothing is necessary")
        XCTAssertNil(atoms("\\d+\\.\\d+"), "classes give no literal")
        XCTAssertNil(atoms("ab|\\d"), "a branch without literal")
        XCTAssertNil(atoms("ab"), "shorter than the minimum atom")
        let classes = atoms("x[0-9]abc") ?? []
        XCTAssertFalse(classes.isEmpty)
        XCTAssertTrue(classes.allSatisfy { $0.contains("abc") }, "\(classes)")
    }

    func testEveryMatchOfARandomRegexHoldsOneOfItsAtoms() {
        var rng = SplitMix(seed: 20261203)
        var checked = 0, withAtoms = 0
        for _ in 0..<3000 {
            var gen = RandomRegex(rng: rng)
            let node = gen.node(depth: 3)
            rng = gen.rng
            let caseless = rng.below(3) == 0
            let multiLine = rng.below(6) == 0
            let dotAll = rng.below(6) == 0
            let pattern = (rng.below(5) == 0 ? "^" : "") + node.pattern + (rng.below(5) == 0 ? "$" : "")
            guard let regex = compile(pattern, caseless: caseless, multiLine: multiLine, dotAll: dotAll) else {
                XCTFail("RE2 rejects the generated pattern \(pattern)"); continue
            }
            guard let atoms = regex.necessaryAtoms else { continue }
            withAtoms += 1
            for _ in 0..<8 {
                var gen = RandomRegex(rng: rng)
                var sample = gen.sample(node, caseless: caseless)
                rng = gen.rng
                if !pattern.hasPrefix("^") && rng.below(2) == 0 { sample = gen.noise() + sample }
                if !pattern.hasSuffix("$") && rng.below(2) == 0 { sample += gen.noise() }
                rng = gen.rng
                let bytes = Array(sample.utf8)
                let matched = bytes.withUnsafeBytes { regex.matches($0) }
                guard matched else { continue }
                checked += 1
                if bytes.contains(where: { $0 >= 0x80 }) { continue }
                let lowered = bytes.map { StringPattern.lower($0) }
                let found = atoms.contains { atom in
                    atom.count <= lowered.count && (0...(lowered.count - atom.count)).contains { i in
                        zip(atom, lowered[i..<(i + atom.count)]).allSatisfy { StringPattern.lower($0) == $1 }
                    }
                }
                XCTAssertTrue(found, "\(pattern) (i: \(caseless), m: \(multiLine), s: \(dotAll)) matches \(sample.debugDescription) but none of its atoms \(atoms.map { String(decoding: $0, as: UTF8.self) }) occurs")
            }
        }
        XCTAssertGreaterThan(withAtoms, 700, "regexes with atoms")
        XCTAssertGreaterThan(checked, 3000, "matching samples checked"); print("regex atoms: \(withAtoms) of 3000 regexes with atoms, \(checked) matching samples checked")
    }

    /// Every `|re` value in the SigmaHQ snapshot compiles and gets its atoms
    /// computed; most have some (they carry literals).
    func testSigmaHQRegexesGiveAtoms() throws {
        let root = TestPaths.sharedDirectory + "/testdata/sigmahq/rules"
        let sources = try RuleLoader.sources(atPaths: [root])
        var patterns: [(String, Bool)] = []
        for s in sources {
            var inRegex = false
            var caseless = false
            for line in s.text.split(separator: "\n", omittingEmptySubsequences: false) {
                let t = line.trimmingCharacters(in: .whitespaces)
                if let r = t.range(of: "|re") , t.hasSuffix(":") || t.contains("|re:") || t.contains("|re|") {
                    caseless = t[r.upperBound...].hasPrefix("|i")
                    inRegex = t.hasSuffix(":")
                    if let colon = t.range(of: ": "), !inRegex {
                        patterns.append((RegexAtomTests.unquote(String(t[colon.upperBound...])), caseless))
                    }
                    continue
                }
                if inRegex, t.hasPrefix("- ") { patterns.append((RegexAtomTests.unquote(String(t.dropFirst(2))), caseless)); continue }
                inRegex = false
            }
        }
        XCTAssertGreaterThan(patterns.count, 150, "SigmaHQ |re values")
        var compiled = 0, withAtoms = 0
        for (p, caseless) in patterns {
            guard let r = compile(p, caseless: caseless) else { continue }
            compiled += 1
            if r.necessaryAtoms != nil { withAtoms += 1 }
        }
        XCTAssertGreaterThan(compiled, patterns.count * 9 / 10)
        XCTAssertGreaterThan(withAtoms, compiled / 2, "\(withAtoms) of \(compiled) SigmaHQ regexes give atoms")
    }

    private static func unquote(_ s: String) -> String {
        var t = s
        if let hash = t.range(of: " #") { t = String(t[..<hash.lowerBound]) }
        t = t.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("'"), t.hasSuffix("'"), t.count >= 2 { return String(t.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'") }
        if t.hasPrefix("\""), t.hasSuffix("\""), t.count >= 2 { return String(t.dropFirst().dropLast()) }
        return t
    }
}

/// A random regex over a small alphabet, and strings it matches.
private struct RandomRegex {
    var rng: SplitMix

    indirect enum Node {
        case literal(String)
        case anyChar
        case digit
        case word
        case space
        case set([Character])
        case concat([Node])
        case alt([Node])
        case repeatNode(Node, min: Int, max: Int?)
        case wordBoundary

        var pattern: String {
            switch self {
            case .literal(let s): return s.map { c in "\\.()[]{}|*+?^$".contains(c) ? "\\\(c)" : String(c) }.joined()
            case .anyChar: return "."
            case .digit: return "\\d"
            case .word: return "\\w"
            case .space: return "\\s"
            case .set(let cs): return "[" + cs.map { c in "\\]^-[".contains(c) ? "\\\(c)" : String(c) }.joined() + "]"
            case .concat(let ns): return ns.map(\.pattern).joined()
            case .alt(let ns): return "(" + ns.map(\.pattern).joined(separator: "|") + ")"
            case .repeatNode(let n, let lo, let hi):
                let inner = "(?:" + n.pattern + ")"
                switch (lo, hi) {
                case (0, nil): return inner + "*"
                case (1, nil): return inner + "+"
                case (0, 1?): return inner + "?"
                case (let l, nil): return inner + "{\(l),}"
                case (let l, let h?): return inner + "{\(l),\(h)}"
                }
            case .wordBoundary: return "\\b"
            }
        }
    }

    private let words = ["iex", "invoke", "Mimi", "cmd.exe", "-enc", "powershell", "a.b", "\\x", "http://", "ab", "x", "Q", "(", "é", "ß", "k"]

    mutating func node(depth: Int) -> Node {
        let choice = depth == 0 ? rng.below(6) : rng.below(10)
        switch choice {
        case 0, 1, 2: return .literal(words[rng.below(words.count)])
        case 3: return [.anyChar, .digit, .word, .space][rng.below(4)]
        case 4: return .set(Array("aBx1.-é").shuffled(using: &rng).prefix(1 + rng.below(4)).map { $0 })
        case 5: return .wordBoundary
        case 6, 7: return .concat((0..<(2 + rng.below(3))).map { _ in node(depth: depth - 1) })
        case 8: return .alt((0..<(2 + rng.below(3))).map { _ in node(depth: depth - 1) })
        default:
            let shapes: [(Int, Int?)] = [(0, nil), (1, nil), (0, 1), (2, nil), (1, 3)]
            let (lo, hi) = shapes[rng.below(shapes.count)]
            return .repeatNode(node(depth: depth - 1), min: lo, max: hi)
        }
    }

    /// A string `node` may match (a `\b` may not hold where it lands: RE2 decides).
    mutating func sample(_ node: Node, caseless: Bool) -> String {
        switch node {
        case .literal(let s):
            guard caseless else { return s }
            return String(s.map { c -> Character in
                let upper = c.uppercased()
                return rng.below(2) == 0 && upper.count == 1 ? Character(upper) : c
            })
        case .anyChar: return String("aZ9 .é\t".randomElement(using: &rng)!)
        case .digit: return String("0123456789".randomElement(using: &rng)!)
        case .word: return String("aZ_9".randomElement(using: &rng)!)
        case .space: return String(" \t".randomElement(using: &rng)!)
        case .set(let cs): return String(cs.randomElement(using: &rng)!)
        case .concat(let ns): return ns.map { sample($0, caseless: caseless) }.joined()
        case .alt(let ns): return sample(ns.randomElement(using: &rng)!, caseless: caseless)
        case .repeatNode(let n, let lo, let hi):
            let count = lo + rng.below((hi ?? lo + 3) - lo + 1)
            return (0..<count).map { _ in sample(n, caseless: caseless) }.joined()
        case .wordBoundary: return ""
        }
    }

    mutating func noise() -> String {
        String((0..<rng.below(6)).map { _ in "ab .-x\\(".randomElement(using: &rng)! })
    }
}
