import Foundation
import SecStreamCore

/// Per group, per tumbling event-time window, the running aggregates of the
/// spec's features; on the engine thread. Events come in admitted on time
/// (never behind the engine's watermark), so a window whose end the
/// watermark has passed gets no more events: `close(upTo:)` hands it out.
///
/// Most windows hold few events (a source address seen once in five
/// minutes), so the per-window cost counts as much as the per-event one: the
/// open windows live in flat arrays of slots, reused through a free list, found
/// by (window start, the group hash the worker computed) with the group bytes
/// compared, not copied, per event. Closed windows come out by window start,
/// then group hash, then group bytes: the same events give the same windows
/// in the same order, whatever order they arrived in within the lateness.
public final class WindowFeatureAggregator {
    public let spec: WindowFeatureSpec
    private let kinds: [FeatureDefinition.Kind]
    private let columns: Int
    /// Per feature: its index among the distinct-count features (-1: not one).
    private let distinctIndex: [Int]
    private let distinctCount: Int
    private static let sampleLimit = 5

    // The storage below is touched on the engine thread only; its runtime
    // exclusivity checks (a thread-local lookup per access, ~5% of a run's
    // cycles when measured) are turned off.
    struct Key: Hashable {
        var start: Int64
        /// The group hash, plus the probe step after a collision of two groups' hashes.
        var hash: UInt64
    }
    @exclusivity(unchecked) private var slotOf: [Key: Int32] = [:]
    /// Per start, its slots (arrival order; sorted when closed).
    @exclusivity(unchecked) private var slotsByStart: [Int64: [Int32]] = [:]
    /// The starts with open windows, ascending (few: the windows the lateness keeps open).
    @exclusivity(unchecked) private var starts: [Int64] = []
    @exclusivity(unchecked) private var freeSlots: [Int32] = []

    // Slot storage (slot `s` of `slotCount`).
    @exclusivity(unchecked) private var slotKeys: [Key] = []
    @exclusivity(unchecked) private var groups: [[UInt8]] = []
    @exclusivity(unchecked) private var totals: [Double] = []       // s * columns + feature: count, matches, sum
    @exclusivity(unchecked) private var present: [Double] = []     // s * columns + feature: ratio denominators
    // Distinct values of (slot s, distinct feature j), d = s * distinctCount + j:
    // up to `inlineDistinct` hashes in place (most windows see few events, and
    // a set per window and feature cost a malloc and a free each), then a set.
    @exclusivity(unchecked) private var distinctInline: [UInt64] = []  // d * inlineDistinct + k
    @exclusivity(unchecked) private var distinctInlineCount: [UInt8] = []  // d; `spilled`: in distinctSpilled
    @exclusivity(unchecked) private var distinctSpilled: [Int: Set<UInt64>] = [:]
    private static let inlineDistinct = 8
    private static let spilled = UInt8.max
    @exclusivity(unchecked) private var firstSeen: [Int64] = []
    @exclusivity(unchecked) private var lastSeen: [Int64] = []
    @exclusivity(unchecked) private var samples: [EventLocation] = []  // s * sampleLimit + k
    @exclusivity(unchecked) private var sampleCounts: [Int] = []
    /// Events counted per slot: what `evict` drops first (the fewest).
    @exclusivity(unchecked) private var eventCounts: [Int32] = []
    /// Bytes of the open windows' group values, and values held in spilled
    /// distinct sets: the parts of `estimatedBytes` that vary per window.
    @exclusivity(unchecked) private var groupBytesOpen = 0
    @exclusivity(unchecked) private var spilledValues = 0
    /// Windows dropped by `evict` (`--max-state`): never scored.
    @exclusivity(unchecked) public private(set) var windowsEvicted = 0
    @exclusivity(unchecked) public private(set) var eventsCounted = 0
    @exclusivity(unchecked) public private(set) var openWindows = 0
    /// Windows close in ascending start order; this is the last start closed.
    @exclusivity(unchecked) private var lastClosedStart = Int64.min
    /// Events for a window already closed: only with `--lateness 0`, where the
    /// engine admits every event in arrival order; they are not counted
    /// (a second window of the same group and start would be a second alert).
    @exclusivity(unchecked) public private(set) var eventsAfterClose = 0

    public init(spec: WindowFeatureSpec) {
        self.spec = spec
        kinds = spec.features.map(\.kind)
        columns = kinds.count
        var index: [Int] = [], n = 0
        for k in kinds {
            if case .distinct = k { index.append(n); n += 1 } else { index.append(-1) }
        }
        distinctIndex = index
        distinctCount = n
    }

    /// The window start of event time `t` (floor, also before 1970).
    @inline(__always)
    public func windowStart(_ t: Int64) -> Int64 {
        let w = spec.windowMs
        let r = t % w
        return r < 0 ? t - r - w : t - r
    }

    /// Counts row `row` of `rows` (an event at `time`, read from `location`).
    public func add(_ rows: EventFeatureRows, row: Int, time: Int64, location: EventLocation) {
        let start = windowStart(time)
        if start <= lastClosedStart { eventsAfterClose += 1; return }
        let s = rows.groupStarts[row], e = rows.groupStarts[row + 1]
        let slot = rows.groupBytes.withUnsafeBufferPointer {
            self.slot(start: start, hash: rows.groupHashes[row], group: UnsafeBufferPointer(rebasing: $0[s..<e]), time: time)
        }
        eventsCounted += 1
        eventCounts[slot] &+= 1
        let base = row * rows.stride
        let t = slot * columns
        rows.cells.withUnsafeBufferPointer { cells in
            for i in 0..<columns {
                let cell = cells[base + i]
                switch kinds[i] {
                case .count: totals[t + i] += 1
                case .countWhere, .ruleMatches: totals[t + i] += Double(cell)
                case .ratioWhere:
                    if cell != 0 { present[t + i] += 1 }
                    if cell == 2 { totals[t + i] += 1 }
                case .distinct: if cell != 0 { insertDistinct(slot * distinctCount + distinctIndex[i], cell) }
                case .sum: totals[t + i] += Double(bitPattern: cell)
                case .hourSin, .hourCos: break
                }
            }
        }
        if time < firstSeen[slot] { firstSeen[slot] = time }
        if time > lastSeen[slot] { lastSeen[slot] = time }
        if sampleCounts[slot] < Self.sampleLimit {
            samples[slot * Self.sampleLimit + sampleCounts[slot]] = location
            sampleCounts[slot] += 1
        }
    }

    @inline(__always)
    private func insertDistinct(_ d: Int, _ value: UInt64) {
        let count = distinctInlineCount[d]
        if count == Self.spilled {
            if distinctSpilled[d]!.insert(value).inserted { spilledValues += 1 }
            return
        }
        let base = d * Self.inlineDistinct
        for k in 0..<Int(count) where distinctInline[base + k] == value { return }
        if Int(count) < Self.inlineDistinct {
            distinctInline[base + Int(count)] = value
            distinctInlineCount[d] = count + 1
            return
        }
        var set = Set(distinctInline[base..<(base + Self.inlineDistinct)])
        set.insert(value)
        distinctSpilled[d] = set
        spilledValues += set.count
        distinctInlineCount[d] = Self.spilled
    }

    private func distinctValues(_ d: Int) -> Int {
        let count = distinctInlineCount[d]
        return count == Self.spilled ? distinctSpilled[d]!.count : Int(count)
    }

    /// The slot of `group`'s window at `start`, opened when new.
    private func slot(start: Int64, hash: UInt64, group: UnsafeBufferPointer<UInt8>, time: Int64) -> Int {
        var key = Key(start: start, hash: hash)
        while let found = slotOf[key] {
            let slot = Int(found)
            if groups[slot].elementsEqual(group) { return slot }
            key.hash &+= 0x9e37_79b9_7f4a_7c15  // two groups, one hash: probe on
        }
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = Int(free)
            slotKeys[slot] = key
            groups[slot] = Array(group)
            firstSeen[slot] = time; lastSeen[slot] = time; sampleCounts[slot] = 0; eventCounts[slot] = 0
        } else {
            slot = slotKeys.count
            slotKeys.append(key)
            groups.append(Array(group))
            totals.append(contentsOf: repeatElement(0, count: columns))
            present.append(contentsOf: repeatElement(0, count: columns))
            distinctInline.append(contentsOf: repeatElement(0, count: distinctCount * Self.inlineDistinct))
            distinctInlineCount.append(contentsOf: repeatElement(0, count: distinctCount))
            firstSeen.append(time); lastSeen.append(time)
            samples.append(contentsOf: repeatElement(.unknown, count: Self.sampleLimit))
            sampleCounts.append(0)
            eventCounts.append(0)
        }
        groupBytesOpen += group.count
        slotOf[key] = Int32(slot)
        if slotsByStart[start] == nil {
            slotsByStart[start] = []
            let at = starts.firstIndex(where: { $0 > start }) ?? starts.count
            starts.insert(start, at: at)
        }
        slotsByStart[start]!.append(Int32(slot))
        openWindows += 1
        return slot
    }

    /// Closes every window whose end is at or before `watermark`, in order.
    public func close(upTo watermark: Int64, _ body: (ClosedWindow) throws -> Void) rethrows {
        while let first = starts.first, first + spec.windowMs <= watermark {
            try closeStart(first, body)
        }
    }

    /// End of input: closes every window, in order.
    public func closeAll(_ body: (ClosedWindow) throws -> Void) rethrows {
        while let first = starts.first { try closeStart(first, body) }
    }

    private func closeStart(_ start: Int64, _ body: (ClosedWindow) throws -> Void) rethrows {
        starts.removeFirst()
        lastClosedStart = start
        var slots = slotsByStart.removeValue(forKey: start) ?? []
        slots.sort { a, b in
            let ka = slotKeys[Int(a)].hash, kb = slotKeys[Int(b)].hash
            return ka != kb ? ka < kb : groups[Int(a)].lexicographicallyPrecedes(groups[Int(b)])
        }
        // Hour of day (UTC) of the window start, on the unit circle: one per start.
        let dayMs: Int64 = 86_400_000
        let hour = Double(((start % dayMs) + dayMs) % dayMs / 3_600_000)
        let angle = 2 * Double.pi * hour / 24
        let hourSin = sin(angle), hourCos = cos(angle)
        for s in slots {
            let slot = Int(s)
            let window = closed(slot, start, hourSin, hourCos)
            release(slot)
            try body(window)
        }
    }

    private func closed(_ slot: Int, _ start: Int64, _ hourSin: Double, _ hourCos: Double) -> ClosedWindow {
        let t = slot * columns
        var features = [Double](repeating: 0, count: columns)
        for i in 0..<columns {
            switch kinds[i] {
            case .count, .countWhere, .sum, .ruleMatches: features[i] = totals[t + i]
            case .ratioWhere: features[i] = present[t + i] > 0 ? totals[t + i] / present[t + i] : 0
            case .distinct: features[i] = Double(distinctValues(slot * distinctCount + distinctIndex[i]))
            case .hourSin: features[i] = hourSin
            case .hourCos: features[i] = hourCos
            }
        }
        let first = slot * Self.sampleLimit
        return ClosedWindow(group: groups[slot], start: start, end: start + spec.windowMs, features: features,
                            firstSeen: firstSeen[slot], lastSeen: lastSeen[slot],
                            samples: Array(samples[first..<(first + sampleCounts[slot])]))
    }

    /// The slot back to the free list, its aggregates zeroed.
    private func release(_ slot: Int) {
        slotOf[slotKeys[slot]] = nil
        let t = slot * columns
        for i in 0..<columns { totals[t + i] = 0; present[t + i] = 0 }
        for j in 0..<distinctCount {
            let d = slot * distinctCount + j
            if distinctInlineCount[d] == Self.spilled { spilledValues -= distinctSpilled[d]?.count ?? 0; distinctSpilled[d] = nil }
            distinctInlineCount[d] = 0
        }
        groupBytesOpen -= groups[slot].count
        groups[slot] = []
        freeSlots.append(Int32(slot))
        openWindows -= 1
    }

    // MARK: Bounded state (`--max-state`)

    /// Estimated bytes of one open window besides its group value and
    /// spilled sets: its aggregates (two doubles per feature), its inline
    /// distinct values, times, samples and count, the group array's header,
    /// and its key in the slot table and the start's list, hash-table slots
    /// counted three times (a Swift dictionary keeps 1.3 to 2.7 per entry).
    public var bytesPerWindow: Int {
        MemoryLayout<Key>.stride + 16 * columns + distinctCount * (Self.inlineDistinct * 8 + 1) + 16
            + Self.sampleLimit * MemoryLayout<EventLocation>.stride + 8 + 4 + 32
            + 3 * (MemoryLayout<Key>.stride + 4) + 4
    }

    /// What the open windows take, estimated (a spilled distinct value at 3 × 8 bytes).
    public var estimatedBytes: Int { openWindows &* bytesPerWindow &+ groupBytesOpen &+ spilledValues &* 24 }

    /// Drops open windows, fewest events first (among equals the least
    /// recently updated), until the estimate is at most `bytes`, as the
    /// engine drops its correlation windows. A dropped window is never
    /// scored; a later event of its group and start opens a new one. Returns
    /// how many went.
    @discardableResult
    public func evict(downTo bytes: Int) -> Int {
        guard estimatedBytes > bytes else { return 0 }
        var open: [Int32] = []
        open.reserveCapacity(openWindows)
        for list in slotsByStart.values { open.append(contentsOf: list) }
        open.sort { a, b in
            let ea = eventCounts[Int(a)], eb = eventCounts[Int(b)]
            return ea != eb ? ea < eb : lastSeen[Int(a)] < lastSeen[Int(b)]
        }
        var dropped = Set<Int32>()
        for s in open {
            guard estimatedBytes > bytes else { break }
            release(Int(s))
            dropped.insert(s)
        }
        for start in starts {
            slotsByStart[start]!.removeAll { dropped.contains($0) }
            if slotsByStart[start]!.isEmpty { slotsByStart[start] = nil }
        }
        starts.removeAll { slotsByStart[$0] == nil }
        windowsEvicted += dropped.count
        return dropped.count
    }
}
