import Foundation

/// A `|re` value test. Patterns in Sigma's regex flavor run as a small
/// backtracking program over the value's bytes; NSRegularExpression (which
/// needs a `String` per event) is kept for the rest: patterns outside the
/// flavor, values with non-ASCII bytes or line breaks, and the rare value that
/// exhausts the step budget. Both give the same answer; the byte program is
/// only the fast path.
struct ByteRegex {
    /// One instruction of the backtracking program (Pike/Thompson style).
    enum Instruction {
        /// Consume one byte in the set.
        case set(ByteRegexParser.ByteSet)
        /// Try `preferred` first, then `other`.
        case split(preferred: Int32, other: Int32)
        case jump(Int32)
        case lineStart
        case lineEnd
        case match
    }

    /// Nil when the pattern is outside the flavor (NSRegularExpression only).
    let program: UnsafeBufferPointer<Instruction>?
    /// No match is possible in fewer bytes (every program step consumes one
    /// character, and a character is at least one byte).
    let minimumLength: Int
    /// `^` starts every alternative: only position 0 needs trying.
    let anchoredAtStart: Bool
    let fallback: Unmanaged<NSRegularExpression>
    /// A literal every match contains (the prefilter's needle), lower-cased
    /// when `needleCaseless`; empty when the pattern has none of 3+ bytes.
    let needle: UnsafeBufferPointer<UInt8>
    let needleCaseless: Bool

    static let maxProgramLength = 4_096
    static let stepBudget = 20_000
    static let backtrackDepth = 256

    init(pattern: String, compiled: NSRegularExpression, caseInsensitive: Bool, dotAll: Bool, arena: MatcherArena) {
        fallback = arena.keep(compiled)
        guard let tree = ByteRegexParser.parse(pattern, caseInsensitive: caseInsensitive, dotAll: dotAll) else {
            program = nil; minimumLength = 0; anchoredAtStart = false
            needle = UnsafeBufferPointer(start: nil, count: 0); needleCaseless = false
            return
        }
        let required = ByteRegex.requiredLiteral(tree)
        needle = arena.store(required.map { $0.bytes.count >= 3 ? $0.bytes : [] } ?? [])
        needleCaseless = required?.caseless ?? false
        var code: [Instruction] = []
        ByteRegex.emit(tree, into: &code)
        code.append(.match)
        guard code.count <= ByteRegex.maxProgramLength else {
            program = nil; minimumLength = 0; anchoredAtStart = false
            return
        }
        program = arena.store(code)
        minimumLength = tree.minimumLength
        anchoredAtStart = ByteRegex.startsAnchored(tree)
    }

    /// The longest run of single characters that every match of `node` holds
    /// in a row. A case-folded letter makes the literal caseless (ICU also folds
    /// non-ASCII characters onto ASCII letters, the Kelvin sign onto `k`, `ß`
    /// onto `ss`: the prefilter counts any non-ASCII value as a hit for these).
    static func requiredLiteral(_ node: ByteRegexParser.Node) -> (bytes: [UInt8], caseless: Bool)? {
        var best: (bytes: [UInt8], caseless: Bool)?
        func consider(_ c: (bytes: [UInt8], caseless: Bool)?) {
            guard let c, !c.bytes.isEmpty else { return }
            if c.bytes.count > (best?.bytes.count ?? 0) { best = c }
        }
        switch node {
        case .set:
            if let b = literalByte(node) { consider(([b.byte], b.caseless)) }
        case .concat(let parts):
            var run: [UInt8] = []
            var caseless = false
            for part in parts {
                if let b = literalByte(part) {
                    run.append(b.byte); caseless = caseless || b.caseless
                    continue
                }
                consider((run, caseless)); run = []; caseless = false
                consider(requiredLiteral(part))
            }
            consider((run, caseless))
        case .repetition(let inner, let min, _, _):
            if min >= 1 { consider(requiredLiteral(inner)) }
        case .alternation, .lineStart, .lineEnd:
            break
        }
        return best
    }

    /// The one byte a set admits, or the lower case of the one letter it admits in both cases.
    private static func literalByte(_ node: ByteRegexParser.Node) -> (byte: UInt8, caseless: Bool)? {
        guard case .set(let s) = node else { return nil }
        let count = s.low.nonzeroBitCount + s.high.nonzeroBitCount
        var first: UInt8?
        for b in UInt8(0)..<128 where s.contains(b) { first = b; break }
        guard let b = first else { return nil }
        if count == 1 { return (b, false) }
        // {A, a}: b is the upper case (it sorts first).
        if count == 2, b >= 65, b <= 90, s.contains(b + 32) {
            return (b + 32, true)
        }
        return nil
    }

    private static func startsAnchored(_ node: ByteRegexParser.Node) -> Bool {
        switch node {
        case .lineStart: return true
        case .concat(let parts): return parts.first.map(startsAnchored) ?? false
        case .alternation(let options): return options.allSatisfy(startsAnchored)
        default: return false
        }
    }

    /// Compiles a node; counted repetitions are unrolled.
    private static func emit(_ node: ByteRegexParser.Node, into code: inout [Instruction]) {
        guard code.count <= maxProgramLength else { return }
        switch node {
        case .set(let s): code.append(.set(s))
        case .lineStart: code.append(.lineStart)
        case .lineEnd: code.append(.lineEnd)
        case .concat(let parts): for p in parts { emit(p, into: &code) }
        case .alternation(let options):
            var jumpsToEnd: [Int] = []
            for (k, option) in options.enumerated() {
                if k < options.count - 1 {
                    let split = code.count
                    code.append(.split(preferred: Int32(split + 1), other: 0))
                    emit(option, into: &code)
                    jumpsToEnd.append(code.count)
                    code.append(.jump(0))
                    code[split] = .split(preferred: Int32(split + 1), other: Int32(code.count))
                } else {
                    emit(option, into: &code)
                }
            }
            for j in jumpsToEnd { code[j] = .jump(Int32(code.count)) }
        case .repetition(let inner, let min, let max, let lazy):
            for _ in 0..<min { emit(inner, into: &code) }
            if let max {
                // Each optional copy may be skipped: split past all the rest.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(code.count)
                    code.append(.split(preferred: 0, other: 0))
                    emit(inner, into: &code)
                }
                let end = Int32(code.count)
                for s in splits {
                    code[s] = lazy ? .split(preferred: end, other: Int32(s + 1)) : .split(preferred: Int32(s + 1), other: end)
                }
            } else {
                let loop = code.count
                code.append(.split(preferred: 0, other: 0))
                emit(inner, into: &code)
                code.append(.jump(Int32(loop)))
                let end = Int32(code.count)
                code[loop] = lazy ? .split(preferred: end, other: Int32(loop + 1)) : .split(preferred: Int32(loop + 1), other: end)
            }
        }
    }

    func matches(_ value: UnsafeRawBufferPointer) -> Bool {
        if let decided = fastMatch(value) { return decided }
        let text = String(decoding: value, as: UTF8.self)
        return fallback.takeUnretainedValue().firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The answer without NSRegularExpression, or nil when only ICU can give it
    /// (pattern outside the flavor, value not plain ASCII, budget exhausted).
    func fastMatch(_ value: UnsafeRawBufferPointer) -> Bool? {
        if value.count < minimumLength { return false }
        guard let program, ByteRegex.isPlainASCII(value) else { return nil }
        return run(program, value)
    }

    /// ASCII without line terminators: there `.`, `^`, `$` and classes mean
    /// exactly what ICU means by them, one byte per character.
    @inline(__always)
    private static func isPlainASCII(_ value: UnsafeRawBufferPointer) -> Bool {
        for b in value where b >= 0x80 || (b >= 0x0A && b <= 0x0D) { return false }
        return true
    }

    /// Unanchored search by backtracking; nil when the step budget or the
    /// backtrack stack runs out.
    private func run(_ program: UnsafeBufferPointer<Instruction>, _ text: UnsafeRawBufferPointer) -> Bool? {
        let n = text.count
        var steps = 0
        return withUnsafeTemporaryAllocation(of: (Int32, Int32).self, capacity: ByteRegex.backtrackDepth) { stack -> Bool? in
            let lastStart = anchoredAtStart ? 0 : n
            var start = 0
            while start <= lastStart {
                var depth = 0
                stack[0] = (0, Int32(start)); depth = 1
                while depth > 0 {
                    depth -= 1
                    var (pc, pos) = (Int(stack[depth].0), Int(stack[depth].1))
                    thread: while true {
                        steps += 1
                        if steps > ByteRegex.stepBudget { return nil }
                        switch program[pc] {
                        case .set(let s):
                            guard pos < n, s.contains(text[pos]) else { break thread }
                            pc += 1; pos += 1
                        case .split(let preferred, let other):
                            guard depth < ByteRegex.backtrackDepth else { return nil }
                            stack[depth] = (other, Int32(pos)); depth += 1
                            pc = Int(preferred)
                        case .jump(let target):
                            pc = Int(target)
                        case .lineStart:
                            guard pos == 0 else { break thread }
                            pc += 1
                        case .lineEnd:
                            guard pos == n else { break thread }
                            pc += 1
                        case .match:
                            return true
                        }
                    }
                }
                start += 1
            }
            return false
        }
    }
}
