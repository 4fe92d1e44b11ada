import TestSupport
import XCTest
@testable import SecStreamCore

/// The engine's own hash tables against Swift dictionaries, with enough churn
/// to exercise growth, backward-shift deletion, id reuse and arena compaction.
final class EngineHashTableTests: XCTestCase {
    func testByteInternerMatchesADictionaryModelUnderChurn() {
        let interner = ByteInterner()
        var rng = SplitMix(seed: 42)
        var model: [[UInt8]: (id: UInt32, refs: Int)] = [:]
        var liveKeys: [[UInt8]] = []   // for picking a random victim
        var liveIDs = Set<UInt32>()
        var maxLive = 0
        for step in 0..<40_000 {
            if rng.below(3) != 0 || liveKeys.isEmpty {
                // Keys of 0..40 bytes; the key space shrinks halfway, so many keys die for good (compaction).
                let seed = rng.below(step < 20_000 ? 3_000 : 200)
                var s = SplitMix(seed: UInt64(seed))
                let key = (0..<Int(s.next() % 41)).map { _ in UInt8(truncatingIfNeeded: s.next()) }
                let id = key.withUnsafeBytes { interner.acquire($0) }
                if let known = model[key] {
                    XCTAssertEqual(id, known.id, "same bytes, same id")
                    model[key] = (id, known.refs + 1)
                } else {
                    XCTAssertFalse(liveIDs.contains(id), "a live id is never handed out twice")
                    model[key] = (id, 1)
                    liveKeys.append(key)
                    liveIDs.insert(id)
                }
            } else {
                let k = rng.below(liveKeys.count)
                let victim = liveKeys[k]
                let entry = model[victim]!
                interner.release(entry.id)
                if entry.refs == 1 {
                    model[victim] = nil
                    liveIDs.remove(entry.id)
                    liveKeys.swapAt(k, liveKeys.count - 1)
                    liveKeys.removeLast()
                } else {
                    model[victim] = (entry.id, entry.refs - 1)
                }
            }
            maxLive = max(maxLive, model.count)
            if step % 5_000 == 0 {
                for (k, v) in model { XCTAssertEqual(Array(interner.bytes(v.id)), k) }
            }
        }
        XCTAssertEqual(interner.liveCount, model.count)
        for (k, v) in model { XCTAssertEqual(Array(interner.bytes(v.id)), k) }
        XCTAssertLessThanOrEqual(interner.idCapacity, maxLive + 1, "freed ids are reused")
        XCTAssertGreaterThan(interner.compactions, 0, "dead key bytes were reclaimed")
    }

    /// Timers due at the same time are ordered by group key bytes through
    /// `compare`, which decides on cached 16-byte prefixes when it can: keys
    /// that differ early, late, only in length, or by real 0 bytes against the
    /// prefix padding must all order as plain lexicographic byte order.
    func testByteInternerCompareIsLexicographicByteOrder() {
        var keys: [[UInt8]] = [[], [0], [0, 0], [1], [1, 0], [1, 0, 0], [1, 2], [255], [255, 255]]
        let long = Array(repeating: UInt8(7), count: 16)
        keys += [long, long + [0], long + [1], long + [0, 1], Array(long.dropLast()), Array(long.dropLast()) + [0]]
        keys += [Array(repeating: 0, count: 15), Array(repeating: 0, count: 16), Array(repeating: 0, count: 17)]
        var rng = SplitMix(seed: 5)
        for _ in 0..<200 {
            keys.append((0..<rng.below(24)).map { _ in [0, 1, 7, 128, 255][rng.below(5)] })
        }
        let interner = ByteInterner()
        let ids = keys.map { k in k.withUnsafeBytes { interner.acquire($0) } }
        for a in keys.indices {
            for b in keys.indices {
                let want = keys[a] == keys[b] ? 0 : keys[a].lexicographicallyPrecedes(keys[b]) ? -1 : 1
                let got = interner.compare(ids[a], ids[b]).signum()
                XCTAssertEqual(got, want, "\(keys[a]) vs \(keys[b])")
            }
        }
    }

    func testPairCountTableMatchesADictionaryModel() {
        var table = PairCountTable()
        var model: [UInt64: Int32] = [:]
        var rng = SplitMix(seed: 9)
        for _ in 0..<50_000 {
            let key = PairCountTable.key(UInt32(rng.below(300)), UInt32(rng.below(50)))
            switch rng.below(3) {
            case 0:
                XCTAssertEqual(table.increment(key), (model[key] ?? 0) + 1)
                model[key, default: 0] += 1
            case 1:
                XCTAssertEqual(table.insert(key), model[key] == nil)
                if model[key] == nil { model[key] = 1 }
            default:
                guard let c = model[key] else { continue }
                XCTAssertEqual(table.decrement(key), c - 1)
                model[key] = c == 1 ? nil : c - 1
            }
        }
        XCTAssertEqual(table.count, model.count)
        for (k, c) in model {
            XCTAssertEqual(table.increment(k), c + 1)
        }
    }
}
