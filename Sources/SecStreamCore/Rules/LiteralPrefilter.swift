import CHyperscan
import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The literal prefilter behind `DetectionMatcherSet`: every rule's needles
/// (`RuleNeedles`) compiled into one Hyperscan block-mode database per field
/// (plus one over the raw line for keywords), and its number needles into a
/// table per field (looked up with the field's value). Per event, one scan of each
/// field holding needles marks the rules whose needles occur; only those (and
/// the rules without needles) are confirmed by the exact matcher. A needle
/// hit is necessary, not sufficient, so a false hit costs one evaluation and a
/// missed hit cannot happen (the differential test checks it).
///
/// Needles are matched as literals (`hs_compile_lit_multi`), single-match,
/// caseless where the rule's test is: Hyperscan folds ASCII letters only, as
/// `StringPattern` does. Immutable after init; each worker thread scans with
/// its own scratch (`ThreadScratch`).
final class LiteralPrefilter: @unchecked Sendable {
    private struct Database {
        let target: NeedleTarget
        let db: OpaquePointer
        /// Rules with an `asciiOnly` needle here: hit by any non-ASCII value.
        /// (Buffers, not arrays: the per-event loop copies this struct and
        /// must not retain and release anything.)
        let asciiOnlyRules: UnsafeMutableBufferPointer<Int32>
        /// The rules with a needle here, as the nonzero 64-bit words of a
        /// bitset over the detections (`words[i]` is the index of `masks[i]`):
        /// when none of them is a candidate of the event, the scan is skipped.
        let words: UnsafeMutableBufferPointer<Int32>
        let masks: UnsafeMutableBufferPointer<UInt64>
    }

    private let databases: [Database]

    /// The number needles of one field: value -> needle id.
    private struct NumberTable {
        let field: FieldID
        /// The rules with a number needle here (as `Database.words`/`masks`).
        let words: UnsafeMutableBufferPointer<Int32>
        let masks: UnsafeMutableBufferPointer<UInt64>
        /// Sorted values and their needle ids (buffers: searched per event
        /// without hashing, retaining or releasing).
        let values: UnsafeMutableBufferPointer<Double>
        let ids: UnsafeMutableBufferPointer<Int32>

        /// The needle id of `value`, if one of the rules names it.
        @inline(__always)
        func id(_ value: Double) -> Int32? {
            var lo = 0, hi = values.count
            while lo < hi {
                let mid = (lo &+ hi) >> 1
                if values[mid] < value { lo = mid &+ 1 } else { hi = mid }
            }
            return lo < values.count && values[lo] == value ? ids[lo] : nil
        }
    }

    /// Looked up per event with the field's value, after the scans.
    private let numberTables: [NumberTable]
    /// Needle `n`'s rules are `needleRules[needleStart[n]..<needleStart[n + 1]]`.
    private let needleStart: UnsafeMutableBufferPointer<Int32>
    private let needleRules: UnsafeMutableBufferPointer<Int32>
    /// Tells apart prefilters for the per-thread scratch (addresses are reused).
    private let serial: Int

    /// How many distinct needles the rules gave (for reports and tests).
    let needleCount: Int
    /// How many databases came from the `PrefilterCache` instead of the compiler.
    let cachedDatabases: Int
    /// Hyperscan databases (one per field with needles, one for the line).
    var databaseCount: Int { databases.count }

    /// Whether this CPU runs Hyperscan (it needs SSSE3).
    static let platformSupported: Bool = hs_valid_platform() == HS_SUCCESS

    /// nil when Hyperscan cannot run here or rejects the needles: the caller
    /// then evaluates every candidate rule (correct, slower).
    /// `needles`: each needle's rule bits (`ruleBits` bits per needle set: the
    /// detection's index plus `ruleBits` for its second set).
    /// `cache`: where compiled databases are kept between runs (nil: compile every time).
    init?(needles: [Needle: [Int32]], ruleBits: Int, cache: PrefilterCache? = nil) {
        guard LiteralPrefilter.platformSupported, !needles.isEmpty else { return nil }
        // Deterministic needle ids: group by target, then bytes.
        let ordered = needles.keys.sorted { a, b in
            if a.target != b.target { return LiteralPrefilter.order(a.target) < LiteralPrefilter.order(b.target) }
            if a.bytes != b.bytes { return a.bytes.lexicographicallyPrecedes(b.bytes) }
            if a.caseless != b.caseless { return !a.caseless && b.caseless }
            return (a.number ?? -.infinity) < (b.number ?? -.infinity)
        }
        var starts: [Int32] = [0]
        var rules: [Int32] = []
        for n in ordered {
            rules += needles[n]!.sorted()
            starts.append(Int32(rules.count))
        }
        var byTarget: [NeedleTarget: [Int]] = [:]
        var targetOrder: [NeedleTarget] = []
        var numbers: [FieldID: [Double: Int32]] = [:]
        for (id, n) in ordered.enumerated() {
            if let number = n.number, case .field(let f) = n.target {
                numbers[f, default: [:]][number] = Int32(id)
                continue
            }
            if byTarget[n.target] == nil { targetOrder.append(n.target) }
            byTarget[n.target, default: []].append(id)
        }
        let built = LiteralPrefilter.compileAll(targetOrder.map { t in byTarget[t]!.map { ($0, ordered[$0]) } }, cache: cache)
        let compiled = built.map(\.db)
        cachedDatabases = built.filter(\.cached).count
        guard compiled.allSatisfy({ $0 != nil }) else {
            for case let db? in compiled { hs_free_database(db) }
            return nil
        }
        /// The nonzero words of the bitset over the detections having one of `ids`' needles.
        func ruleWords(_ ids: [Int]) -> (words: UnsafeMutableBufferPointer<Int32>, masks: UnsafeMutableBufferPointer<UInt64>) {
            var mask: [Int: UInt64] = [:]
            for id in ids {
                for bit in needles[ordered[id]]! {
                    let d = Int(bit) % max(ruleBits, 1)
                    mask[d >> 6, default: 0] |= 1 << UInt64(d & 63)
                }
            }
            let sorted = mask.sorted { $0.key < $1.key }
            return (LiteralPrefilter.buffer(sorted.map { Int32($0.key) }), LiteralPrefilter.buffer(sorted.map(\.value)))
        }
        var dbs: [Database] = []
        for (target, db) in zip(targetOrder, compiled) {
            let asciiOnly = Set(byTarget[target]!.filter { ordered[$0].asciiOnly }.flatMap { needles[ordered[$0]]! })
            let rules = ruleWords(byTarget[target]!)
            dbs.append(Database(target: target, db: db!, asciiOnlyRules: LiteralPrefilter.buffer(asciiOnly.sorted()),
                                words: rules.words, masks: rules.masks))
        }
        databases = dbs
        numberTables = numbers.sorted { $0.key < $1.key }.map { field, needles in
            let sorted = needles.sorted { $0.key < $1.key }
            let rules = ruleWords(sorted.map { Int($0.value) })
            return NumberTable(field: field, words: rules.words, masks: rules.masks,
                               values: LiteralPrefilter.buffer(sorted.map(\.key)), ids: LiteralPrefilter.buffer(sorted.map(\.value)))
        }
        needleStart = .allocate(capacity: starts.count)
        _ = needleStart.initialize(from: starts)
        needleRules = .allocate(capacity: max(rules.count, 1))
        _ = needleRules.initialize(from: rules)
        needleCount = ordered.count
        serial = LiteralPrefilter.nextSerial()
    }

    private static func buffer<T>(_ values: [T]) -> UnsafeMutableBufferPointer<T> {
        let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
        _ = b.initialize(from: values)
        return UnsafeMutableBufferPointer(rebasing: b[0..<values.count])
    }

    deinit {
        for d in databases {
            hs_free_database(d.db)
            d.words.baseAddress?.deallocate()
            d.asciiOnlyRules.baseAddress?.deallocate()
            d.masks.baseAddress?.deallocate()
        }
        for t in numberTables {
            t.words.baseAddress?.deallocate()
            t.masks.baseAddress?.deallocate()
            t.values.baseAddress?.deallocate()
            t.ids.baseAddress?.deallocate()
        }
        needleStart.deallocate()
        needleRules.deallocate()
    }

    private static func order(_ t: NeedleTarget) -> Int {
        switch t {
        case .line: return -1
        case .field(let f): return f
        }
    }

    private static let serialLock = NSLock()
    private static var lastSerial = 0
    private static func nextSerial() -> Int {
        serialLock.lock(); defer { serialLock.unlock() }
        lastSerial += 1
        return lastSerial
    }

    /// Each group's database (nil where Hyperscan rejected it), compiled on
    /// all cores, largest group first: Hyperscan's compiler is reentrant, and
    /// two groups (CommandLine, Image: thousands of needles each) were most of
    /// the compile time of a large pack when built one after the other.
    private static func compileAll(_ groups: [[(id: Int, needle: Needle)]], cache: PrefilterCache?) -> [(db: OpaquePointer?, cached: Bool)] {
        let order = groups.indices.sorted { groups[$0].count > groups[$1].count }
        let results = UnsafeMutableBufferPointer<(db: OpaquePointer?, cached: Bool)>.allocate(capacity: groups.count)
        results.initialize(repeating: (nil, false))
        defer { results.deallocate() }
        // Each iteration writes its own element only.
        DispatchQueue.concurrentPerform(iterations: order.count) { k in
            results[order[k]] = compile(groups[order[k]], cache: cache)
        }
        return Array(results)
    }

    private static func compile(_ needles: [(id: Int, needle: Needle)], cache: PrefilterCache?) -> (db: OpaquePointer?, cached: Bool) {
        let flags = needles.map { UInt32(HS_FLAG_SINGLEMATCH) | ($0.needle.caseless ? UInt32(HS_FLAG_CASELESS) : 0) }
        let ids = needles.map { UInt32($0.id) }
        let mode = UInt32(HS_MODE_BLOCK)
        let spec = cache.map { _ in PrefilterCache.specification(flags: flags, ids: ids, literals: needles.map(\.needle.bytes), mode: mode) }
        if let cache, let spec, let db = cache.load(spec) { return (db, true) }
        var lens: [Int] = []
        var storage: [UnsafeMutablePointer<CChar>] = []
        defer { for s in storage { s.deallocate() } }
        for (_, n) in needles {
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(n.bytes.count, 1))
            n.bytes.withUnsafeBytes { UnsafeMutableRawPointer(p).copyMemory(from: $0.baseAddress!, byteCount: n.bytes.count) }
            storage.append(p)
            lens.append(n.bytes.count)
        }
        var db: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let expressions = storage.map { UnsafePointer<CChar>?($0) }
        let rc = hs_compile_lit_multi(expressions, flags, ids, lens, UInt32(needles.count), mode, nil, &db, &error)
        if rc != HS_SUCCESS {
            if let error { hs_free_compile_error(error) }
            return (nil, false)
        }
        if let cache, let spec, let db { cache.store(spec, db) }
        return (db, false)
    }

    /// What the match callback writes to.
    private struct HitContext {
        let starts: UnsafeMutablePointer<Int32>
        let rules: UnsafeMutablePointer<Int32>
        let bits: UnsafeMutablePointer<UInt64>

        /// Sets the bit of every rule that has needle `id` (number table or Hyperscan match).
        @inline(__always)
        func mark(needle id: Int) {
            var k = Int(starts[id])
            let end = Int(starts[id + 1])
            while k < end {
                let r = Int(rules[k])
                bits[r &>> 6] |= 1 &<< UInt64(r & 63)
                k += 1
            }
        }
    }

    /// What an event can be scanned with: the number tables (`0..<numberTables.count`),
    /// then the Hyperscan databases. `markHits` visits only the targets it is given.
    var targetCount: Int { numberTables.count + databases.count }

    /// The targets holding a needle of a rule in `rules` (a bitset over the
    /// detections), as a bitset over the targets. Worked out once per route, so
    /// that an event visits the few fields its logsource's rules name instead of
    /// every field of the pack.
    func targets(concerning rules: UnsafeMutableBufferPointer<UInt64>) -> [UInt64] {
        func concerns(_ words: UnsafeMutableBufferPointer<Int32>, _ masks: UnsafeMutableBufferPointer<UInt64>) -> Bool {
            for i in 0..<words.count where rules[Int(words[i])] & masks[i] != 0 { return true }
            return false
        }
        var set = [UInt64](repeating: 0, count: (targetCount + 63) / 64)
        for (t, table) in numberTables.enumerated() where concerns(table.words, table.masks) {
            set[t >> 6] |= 1 << UInt64(t & 63)
        }
        for (i, d) in databases.enumerated() where concerns(d.words, d.masks) {
            let t = numberTables.count + i
            set[t >> 6] |= 1 << UInt64(t & 63)
        }
        return set
    }

    /// Sets the bit of every rule (in `bits`, one bit per detection) having a
    /// needle that occurs in `event`, at least for the rules with a needle in
    /// `targets` (a bitset from `targets(concerning:)`; the other fields are not
    /// scanned). On a scan error it sets every bit.
    func markHits(_ event: EventView, targets: UnsafeMutableBufferPointer<UInt64>,
                  into bits: UnsafeMutableBufferPointer<UInt64>) {
        var context = HitContext(starts: needleStart.baseAddress!, rules: needleRules.baseAddress!, bits: bits.baseAddress!)
        let tables = numberTables.count
        var scratch: OpaquePointer?
        for k in 0..<targets.count {
            var word = targets[k]
            while word != 0 {
                let t = k &* 64 &+ word.trailingZeroBitCount
                word &= word &- 1
                if t < tables { markNumbers(event, numberTables[t], &context); continue }
                if scratch == nil {
                    guard let s = ThreadScratch.current(for: self) else { return bits.update(repeating: ~0) }
                    scratch = s
                }
                let ok = withUnsafeMutablePointer(to: &context) { ctx in
                    scanTarget(databases[t &- tables], event, scratch!, ctx, bits)
                }
                if !ok { return bits.update(repeating: ~0) }
            }
        }
    }

    /// One database over its field (or the line); false on a scan error.
    @inline(__always)
    private func scanTarget(_ d: Database, _ event: EventView, _ scratch: OpaquePointer,
                            _ ctx: UnsafeMutablePointer<HitContext>, _ bits: UnsafeMutableBufferPointer<UInt64>) -> Bool {
        switch d.target {
        case .line:
            return scan(d.db, event.line, scratch, ctx)
        case .field(let f):
            let slot = event.slots[f]
            switch slot.kind {
            case .missing:
                return true
            case .array:
                let array = UnsafeRawBufferPointer(rebasing: event.line[Int(slot.start)..<Int(slot.end)])
                // Elements are escaped in the raw array: a non-ASCII byte or a `\u` escape may hide one.
                if !d.asciiOnlyRules.isEmpty { markIfNonASCII(array, d.asciiOnlyRules, bits, escapesCount: true) }
                return scanElements(d.db, array, scratch, ctx)
            default:
                return event.withValue(field: f, slot) { value in
                    if !d.asciiOnlyRules.isEmpty { markIfNonASCII(value, d.asciiOnlyRules, bits) }
                    return scan(d.db, value, scratch, ctx)
                }
            }
        }
    }

    /// The number needles of `t`'s field that its value equals, read as
    /// `ValueTest.numberEquals` reads it (a number or a numeric string; each
    /// element of an array).
    private func markNumbers(_ event: EventView, _ t: NumberTable, _ context: inout HitContext) {
        let slot = event.slots[t.field]
        let raw = UnsafeRawBufferPointer(rebasing: event.line[Int(slot.start)..<Int(slot.end)])
        switch slot.kind {
        case .number, .string, .escapedString:
            markNumber(raw, escaped: slot.kind == .escapedString, t, &context)
        case .array:
            markNumberElements(raw, t, &context)
        default:
            // Missing, null, booleans, objects: no plain number equals them.
            break
        }
    }

    private func markNumberElements(_ array: UnsafeRawBufferPointer, _ t: NumberTable, _ context: inout HitContext) {
        var cursor = ArrayElementCursor(array)
        while let e = cursor.next() {
            let raw = UnsafeRawBufferPointer(rebasing: array[e.start..<e.end])
            switch e.kind {
            case .number, .string, .escapedString: markNumber(raw, escaped: e.kind == .escapedString, t, &context)
            case .array: markNumberElements(raw, t, &context)
            default: break
            }
        }
    }

    @inline(__always)
    private func markNumber(_ raw: UnsafeRawBufferPointer, escaped: Bool, _ t: NumberTable, _ context: inout HitContext) {
        let value = JSONStringUnescaper.withValue(raw, escaped: escaped) { ByteNumber.parse($0) }
        guard let value, let id = t.id(value) else { return }
        context.mark(needle: Int(id))
    }

    private func markIfNonASCII(_ value: UnsafeRawBufferPointer, _ rules: UnsafeMutableBufferPointer<Int32>, _ bits: UnsafeMutableBufferPointer<UInt64>,
                                escapesCount: Bool = false) {
        guard LiteralPrefilter.hasNonASCII(value, orBackslash: escapesCount) else { return }
        for r in rules { bits[Int(r) >> 6] |= 1 << UInt64(r & 63) }
    }

    /// Whether `value` has a byte >= 0x80 (or a backslash, when asked): eight
    /// bytes at a time, since every value of a field with regex atoms is checked.
    @inline(__always)
    static func hasNonASCII(_ value: UnsafeRawBufferPointer, orBackslash: Bool) -> Bool {
        let n = value.count
        guard n > 0, let base = value.baseAddress else { return false }
        let high: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        if orBackslash {
            // A lane equal to 0x5c: (x ^ 0x5c) has a zero lane; the usual zero-lane test.
            let ones: UInt64 = 0x0101_0101_0101_0101
            while i &+ 8 <= n {
                let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let x = w ^ (ones &* 0x5c)
                if (w | ((x &- ones) & ~x)) & high != 0 { return true }
                i &+= 8
            }
            while i < n { if value[i] >= 0x80 || value[i] == 0x5c { return true }; i &+= 1 }
            return false
        }
        while i &+ 8 <= n {
            if base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & high != 0 { return true }
            i &+= 8
        }
        while i < n { if value[i] >= 0x80 { return true }; i &+= 1 }
        return false
    }

    /// Each element of an array on its own, as `FieldTest` matches them.
    private func scanElements(_ db: OpaquePointer, _ array: UnsafeRawBufferPointer, _ scratch: OpaquePointer,
                              _ ctx: UnsafeMutablePointer<HitContext>) -> Bool {
        var cursor = ArrayElementCursor(array)
        while let e = cursor.next() {
            let raw = UnsafeRawBufferPointer(rebasing: array[e.start..<e.end])
            let ok: Bool
            if e.kind == .array {
                ok = scanElements(db, raw, scratch, ctx)
            } else {
                ok = JSONStringUnescaper.withValue(raw, escaped: e.kind == .escapedString) { scan(db, $0, scratch, ctx) }
            }
            if !ok { return false }
        }
        return true
    }

    @inline(__always)
    private func scan(_ db: OpaquePointer, _ bytes: UnsafeRawBufferPointer, _ scratch: OpaquePointer,
                      _ ctx: UnsafeMutablePointer<HitContext>) -> Bool {
        guard bytes.count > 0, let base = bytes.baseAddress else { return true }
        guard bytes.count <= Int(UInt32.max) else { return false }
        let rc = hs_scan(db, base.assumingMemoryBound(to: CChar.self), UInt32(bytes.count), 0, scratch,
                         LiteralPrefilter.onMatch, UnsafeMutableRawPointer(ctx))
        return rc == HS_SUCCESS
    }

    private static let onMatch: match_event_handler = { id, _, _, _, context in
        context!.assumingMemoryBound(to: HitContext.self).pointee.mark(needle: Int(id))
        return 0
    }

    /// One Hyperscan scratch per thread, grown to fit the prefilter the thread
    /// last scanned with; freed when the thread exits.
    private final class ThreadScratch {
        var scratch: OpaquePointer?
        var serial = 0

        deinit { if let scratch { hs_free_scratch(scratch) } }

        private static let key: pthread_key_t = {
            var key = pthread_key_t()
            pthread_key_create(&key) { p in
                guard let p else { return }
                Unmanaged<ThreadScratch>.fromOpaque(p).release()
            }
            return key
        }()

        static func current(for prefilter: LiteralPrefilter) -> OpaquePointer? {
            let box: ThreadScratch
            if let p = pthread_getspecific(key) {
                box = Unmanaged<ThreadScratch>.fromOpaque(p).takeUnretainedValue()
            } else {
                box = ThreadScratch()
                pthread_setspecific(key, Unmanaged.passRetained(box).toOpaque())
            }
            if box.serial != prefilter.serial {
                // hs_alloc_scratch grows an existing scratch to fit each database too.
                for d in prefilter.databases where hs_alloc_scratch(d.db, &box.scratch) != HS_SUCCESS { return nil }
                box.serial = prefilter.serial
            }
            return box.scratch
        }
    }
}
