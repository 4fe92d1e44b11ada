/// A correlation that fired: what the engine turns into an alert and feeds to
/// the correlations that reference this one. Holds one reference on `group`,
/// which the engine releases once done.
struct Firing {
    var correlation: Int
    var group: UInt32
    var windowStart: Int64
    var windowEnd: Int64
    var detectedAt: Int64
    var firstSeen: Int64
    var lastSeen: Int64
    var value: Double
    /// The oldest event time this firing derives from, through any chain:
    /// reprocessing from there reproduces it (see `oldestRetainedTime`).
    var origin: Int64
    var samples: [EventLocation]
    /// Location of the last event that took part: the location of the firing
    /// when it feeds another correlation as an event.
    var lastLocation: EventLocation
    /// A baseline correlation's score of the window.
    var baseline: BaselineScore? = nil
}

/// Where an open window stands in the `--max-state` eviction order (smaller goes first).
struct EvictionKey: Comparable {
    var weight: Int64
    var lastUpdate: Int64
    static func < (a: EvictionKey, b: EvictionKey) -> Bool {
        a.weight != b.weight ? a.weight < b.weight : a.lastUpdate < b.lastUpdate
    }
}

/// The window state of one correlation rule, per group, and the semantics of
/// docs/windows.md: sliding (the default), tumbling and session
/// windows over event_count, value_count, value_sum, value_avg, temporal and
/// temporal_ordered. Events arrive here already in event-time order (the
/// engine's reorder buffer); window closings arrive through the `TimerQueue`.
///
/// State is kept per group id (a `ByteInterner` id of the group key) in arrays,
/// and the events a window holds are a linked list through one entry pool, so
/// steady-state processing allocates nothing. A group's state is freed as soon
/// as its window can no longer change.
final class CorrelationWindows {
    static let noValue = UInt32.max
    /// Samples an alert carries; tumbling and session windows keep only these events.
    static let sampleLimit = 5

    let index: Int
    let rule: CorrelationRule
    let groups = ByteInterner()
    /// Distinct values of value_count (ids referenced by window entries).
    let values = ByteInterner()
    /// `groups` and `values` again, for the per-record calls (see
    /// `UnretainedInterner`). This window owns both interners for its whole life.
    let groupIds: UnretainedInterner
    let valueIds: UnretainedInterner
    // `@exclusivity(unchecked)` on this state: only the engine thread touches it,
    // never through overlapping accesses, and the runtime's dynamic check of each
    // access (a thread-local access set) was 11% of the instructions per event of
    // the built-in pack. Bounds and overflow checks stay on.
    @exclusivity(unchecked) private(set) var activeGroups = 0
    /// Entries held by open windows (events of sliding windows, samples of the others).
    @exclusivity(unchecked) private(set) var liveEntries = 0
    /// Groups whose open window was dropped to stay under `--max-state`.
    @exclusivity(unchecked) private(set) var evicted = 0

    private let kind: CorrelationKind
    /// `rule.condition`, copied out: reading it through `rule` copies the rule's arrays on every event.
    private let condition: Threshold
    private let isSliding: Bool
    /// Windows that ended — a sliding group that fired and reset, a tumbling
    /// or session window that closed, a sliding episode with an `episodeBound`
    /// that expired — as the event-time span (replay origin, last event] of
    /// their events. A replay that starts strictly inside one re-counts only
    /// part of it and can fire where the original run did not (or not where it
    /// did); `WindowEngine.resumeEventTime` starts before such spans. Bounded:
    /// the oldest are dropped past `spentLimit`.
    @exclusivity(unchecked) private(set) var spentSpans: [(origin: Int64, last: Int64)] = []
    private let spentLimit = 65_536

    /// Forgets ended windows whose last event is before `t`.
    func pruneSpent(before t: Int64) { spentSpans.removeAll { $0.last < t } }

    private func noteSpent(_ gi: Int, last: Int64) {
        if spentSpans.count >= spentLimit { spentSpans.removeFirst(spentLimit / 2) }
        spentSpans.append((replayOrigin(gi), last))
    }
    private let isSession: Bool
    /// Sliding event_count, value_count and temporal kinds: a window's first
    /// event is kept in its state (`GroupWindow.inlineEntry`), not in an entry,
    /// until a second one comes. (The kinds that read entry numbers keep entries.)
    private let inlinesFirst: Bool
    /// value_count and temporal kinds: an entry's tag names its pair in `pairs`.
    private let tagsEntries: Bool
    /// Sums (value_sum, value_avg) and tumbling/session windows read `GroupExtras`.
    private let hasExtras: Bool
    /// value_sum, value_avg: the only kinds that read `GroupWindow.sum` (its storage is `seenMask` elsewhere).
    private let tracksSum: Bool
    /// Tumbling/session temporal kinds: the group's count is `progress`, not
    /// `events` (which no temporal condition or eviction weight reads).
    private let countsProgress: Bool
    private let spanMs: Int64
    private let gapMs: Int64
    private let inputCount: Int
    /// value_percentile / value_median (sliding windows only: they keep every value).
    private let percentile: Double
    /// Whether the condition may fire before the window closes: it can only
    /// become true as events are added (gt/gte on a count, distinct count or
    /// sum; temporal kinds once every rule has matched).
    private let firesEarly: Bool

    var isTumbling: Bool { !isSliding && !isSession }
    /// Whether closing a window may fire (the condition is judged on the whole
    /// window); otherwise closing only frees state, in any order.
    var closingMayFire: Bool { !firesEarly }
    /// The engine owns both this and the queue for their whole life; unowned(unsafe)
    /// spares a reference-count check on every use.
    private unowned(unsafe) let timers: TimerQueue
    /// A baseline correlation's learned history (set by the engine; nil for the others).
    var baseline: BaselineHistory?

    /// (group, value) counts for value_count; (group, input) counts for sliding temporal kinds.
    @exclusivity(unchecked) private var pairs = PairCountTable()
    /// Per group id; written field by field on every event, hence plain buffers.
    private let states = PlainBuffer<GroupWindow>(capacity: 64)
    /// Per group id, beside `states`, when `hasExtras` (empty otherwise).
    private let extras = PlainBuffer<GroupExtras>(capacity: 64)
    private let entries = PlainBuffer<WindowEntry>(capacity: 64)
    /// Tumbling, session: per group id, the location of the window's last
    /// event (a sliding window's is its tail entry's; these stay empty).
    private let lastPositions = PlainBuffer<Int64>(capacity: 64)
    private let lastSources = PlainBuffer<Int32>(capacity: 64)
    @exclusivity(unchecked) private var freeEntries: Int32 = -1
    /// Tumbling: the latest bucket end already closed for some group, hence for
    /// all (buckets are shared). Only with lateness 0 (arrival order) can an event
    /// for such a bucket still come; it takes no part, so that a bucket never
    /// closes twice (one alert per rule, group and window).
    @exclusivity(unchecked) private var closedThrough = Int64.min
    /// What the last `add` fired (see `add`).
    @exclusivity(unchecked) private var pendingFirings: [Firing] = []
    /// The firing of the window `closeWindow` last closed, when it fired (see
    /// `takeClosedFiring`). Kept here rather than returned: a `Firing?` of
    /// ~170 bytes went through three copies per window closed, fired or not
    /// (a memmove each: 1.6% of a run of the bench rules).
    @exclusivity(unchecked) private var closedFiring: Firing?

    /// Per group: 32 bytes (was 128, then 56), since a cardinality flood keeps
    /// one per distinct key; a sliding window's first event lives in it too
    /// (no 48-byte entry for the one-event windows of a flood: `inlineEntry`).
    /// Fields that only some window kinds use share storage or live apart,
    /// and what can be derived is not stored:
    /// - `closeAt` is `lastTime + timespan` (sliding), the bucket end
    ///   (tumbling) or `lastTime + gap + 1` (session) whenever the window is
    ///   open: `add` set it to exactly that after every event (`closeAt(_:)`).
    /// - the tumbling bucket start follows from `firstTime`, a session's
    ///   start is `firstTime` (`windowStart(_:)`).
    /// - a sliding window's last location is its tail entry's (every event
    ///   is appended), so only tumbling and session windows store it, in
    ///   `lastPositions`/`lastSources` beside the states (12 bytes per group).
    /// - what only some kinds read (the episode `origin`, the sum, the
    ///   temporal tumbling/session `seenMask`, a sliding sum's
    ///   `firstNegative`, the tumbling/session `firstTime`) is in
    ///   `GroupExtras`, kept beside the states for all kinds but the sliding
    ///   event_count, value_count and temporal ones (`hasExtras`), whose
    ///   windows are 32 bytes.
    /// - the count is `events`, or `progress` for temporal tumbling/session
    ///   windows (which count matched inputs, not events).
    /// - the three flags and the saturating sample count share the count's
    ///   top byte: a count reaching 2^56 (over two years of a billion events
    ///   a second into one window) traps rather than wrap into them.
    /// `distinct` is Int32: a window holds at most the entry pool's
    /// Int32-indexed entries (each distinct value owns one), and a temporal
    /// one at most its inputs, so it cannot overflow (if it did, `+=` traps).
    private struct GroupWindow {
        private var countAndFlags: UInt64 = 0
        var lastTime: Int64 = 0
        /// The first and last entry; with `inlineEntry`, the held event's position.
        var head: Int32 = -1
        var tail: Int32 = -1
        /// `distinct`, or with `inlineEntry` the held event's tag.
        private var distinctOrTag: Int32 = 0
        /// With `inlineEntry`, the held event's source (otherwise unused).
        private var spare: Int32 = 0

        /// Distinct values or inputs (value_count, temporal kinds). An inline
        /// event opened its window: it is the window's one distinct value or input.
        var distinct: Int32 {
            @inline(__always) get { inlineEntry ? 1 : distinctOrTag }
            @inline(__always) set {
                assert(!inlineEntry, "distinct written over an inline tag")
                distinctOrTag = newValue
            }
        }

        private static let countMask: UInt64 = (1 << 56) - 1
        private static let heldShift: UInt64 = 56
        private static let heldMask: UInt64 = 7 << 56

        private var count: Int64 {
            @inline(__always) get { Int64(countAndFlags & GroupWindow.countMask) }
            @inline(__always) set {
                precondition(newValue >= 0 && UInt64(newValue) <= GroupWindow.countMask, "window count out of range")
                countAndFlags = countAndFlags & ~GroupWindow.countMask | UInt64(newValue)
            }
        }
        /// Events in the window (not kept for temporal tumbling/session windows: see `progress`).
        var events: Int64 { get { count } set { count = newValue } }
        /// temporal, temporal_ordered (tumbling/session): how many inputs matched in order.
        var progress: Int { get { Int(count) } set { count = Int64(newValue) } }
        /// Tumbling, session: entries appended this window, counted up to
        /// `sampleLimit` (all `absorb` asks; the window only grows until freed).
        var heldUpToLimit: Int {
            get { Int((countAndFlags & GroupWindow.heldMask) >> GroupWindow.heldShift) }
            set {
                precondition(newValue >= 0 && newValue <= 7, "sample count out of range")
                countAndFlags = countAndFlags & ~GroupWindow.heldMask | UInt64(newValue) << GroupWindow.heldShift
            }
        }

        @inline(__always) private func flag(_ bit: UInt64) -> Bool { countAndFlags & bit != 0 }
        @inline(__always) private mutating func set(_ bit: UInt64, _ on: Bool) {
            countAndFlags = on ? countAndFlags | bit : countAndFlags & ~bit
        }
        var active: Bool { get { flag(1 << 63) } set { set(1 << 63, newValue) } }
        /// Survives the state: the group's one pending timer (which holds a group reference).
        var timerPending: Bool { get { flag(1 << 62) } set { set(1 << 62, newValue) } }
        var fired: Bool { get { flag(1 << 61) } set { set(1 << 61, newValue) } }
        /// Sliding (`inlinesFirst`): the window holds one event, kept in this
        /// state instead of an entry (see `spillInline`): its time is
        /// `lastTime`, which is also its origin, its location in `head`/`tail` and
        /// `spare`, its tag (value id, input) where `distinct` is kept (1 then).
        var inlineEntry: Bool { get { flag(1 << 60) } set { set(1 << 60, newValue) } }
        var inlineLocation: EventLocation {
            get {
                EventLocation(source: spare, position: Int64(bitPattern: UInt64(UInt32(bitPattern: head))
                                                               | UInt64(UInt32(bitPattern: tail)) << 32))
            }
            set {
                spare = newValue.source
                head = Int32(truncatingIfNeeded: newValue.position)
                tail = Int32(truncatingIfNeeded: newValue.position >> 32)
            }
        }
        var inlineTag: UInt32 {
            get { UInt32(bitPattern: distinctOrTag) }
            set { distinctOrTag = Int32(bitPattern: newValue) }
        }
    }

    /// Per group, what only some kinds read (`hasExtras`), 24 bytes.
    private struct GroupExtras {
        /// The smallest `origin` of the events absorbed (tumbling, session), or
        /// added since the group's sliding window last (re)started: its episode
        /// (read by `replayOrigin` and `episodeBound`; the sliding kinds that
        /// keep no extras need only their entries' origins).
        var origin = Int64.max
        private var sumBits: UInt64 = 0
        private var timeSlot = Int64.max

        /// value_sum, value_avg only (other kinds neither add nor read it).
        var sum: Double { get { Double(bitPattern: sumBits) } set { sumBits = newValue.bitPattern } }
        /// temporal, temporal_ordered (tumbling, session): which inputs matched.
        var seenMask: UInt64 { get { sumBits } set { sumBits = newValue } }
        /// Sliding value_sum: the origin of the first number below 0 (or NaN)
        /// added this episode (`episodeBound`); `Int64.max` when none.
        var firstNegative: Int64 { get { timeSlot } set { timeSlot = newValue } }
        /// Tumbling, session: the first event's time.
        var firstTime: Int64 { get { timeSlot } set { timeSlot = newValue } }
    }

    /// One event held by a window (48 bytes: the location's two fields are
    /// stored apart, so the 4-byte ones pack together without padding).
    private struct WindowEntry {
        var time: Int64
        /// The event's own time, or for a chained firing the time of the oldest event behind it.
        var origin: Int64
        var number: Double
        var position: Int64
        var source: Int32
        /// value_count: the value id; temporal kinds: the input index.
        var tag: UInt32
        var next: Int32
        /// Whether removing this entry must decrement `pairs` (and release the value id).
        var ownsPair: Bool

        var location: EventLocation { EventLocation(source: source, position: position) }
    }

    init(index: Int, rule: CorrelationRule, timers: TimerQueue) {
        self.index = index
        self.rule = rule
        self.timers = timers
        groupIds = UnretainedInterner(groups)
        valueIds = UnretainedInterner(values)
        kind = rule.kind
        condition = rule.condition
        spanMs = max(1, rule.timespanMs)
        inputCount = rule.inputs.count
        switch rule.window {
        case .sliding: isSliding = true; isSession = false; gapMs = 0
        case .tumbling: isSliding = false; isSession = false; gapMs = 0
        case .session(let gap): isSliding = false; isSession = true; gapMs = max(0, gap)
        }
        switch kind {
        case .temporal, .temporalOrdered: firesEarly = true
        case .eventCount, .valueCount, .valueSum: firesEarly = rule.condition.isMonotonic
        case .valueAvg, .valuePercentile, .valueMedian: firesEarly = false
        }
        percentile = rule.percentile
        tracksSum = kind == .valueSum || kind == .valueAvg
        countsProgress = !isSliding && (kind == .temporal || kind == .temporalOrdered)
        tagsEntries = kind == .valueCount || kind == .temporal || kind == .temporalOrdered
        inlinesFirst = isSliding && (tagsEntries || kind == .eventCount)
        hasExtras = !inlinesFirst
    }

    // MARK: Events

    /// One event of `group` at time `t` through input `input`, in event-time order.
    /// `value` is a value id of `values` (value_count) or `noValue`; the caller
    /// keeps its own references. `origin` is `t` for an event, or the firing's
    /// origin for a chained firing. Returns true when the event closed a window
    /// that fired (a chained event past a window's end) or itself caused a
    /// firing: the caller then takes them, in that order, with `takeFirings()`.
    /// (Firings are rare; keeping them out of the return value spares every
    /// event the copy of two optional `Firing`s.)
    func add(group g: UInt32, time t: Int64, origin: Int64, input: Int, value: UInt32, number: Double,
             location: EventLocation) -> Bool {
        let gi = Int(g)
        if states.count < groupIds.idCapacity { growStates() }
        if isSliding {
            guard let f = addSliding(gi, t, origin, input, value, number, location) else { return false }
            pendingFirings.append(f)
            return true
        }

        // One division per event: the tumbling bucket this event falls in.
        let bucketStart = isSession ? t : floorDiv(t, spanMs) * spanMs
        if !isSession && bucketStart + spanMs <= closedThrough { return false }
        if states[gi].active {
            let ended = isSession
                ? t > states[gi].lastTime + gapMs
                : !(bucketStart <= extras[gi].firstTime && extras[gi].firstTime < bucketStart + spanMs)
            if ended && closeWindow(gi) { pendingFirings.append(takeClosedFiring()) }
        }
        if !states[gi].active { activate(gi, t) }  // the bucket (session) start follows from `firstTime` = t
        absorb(gi, t, origin, input, value, number, location)
        armTimer(gi)
        if firesEarly && !states[gi].fired && holds(gi) {
            states[gi].fired = true
            pendingFirings.append(firing(gi, start: windowStart(gi), end: windowEnd(gi), detectedAt: t))
        }
        return !pendingFirings.isEmpty
    }

    /// The firings of the last `add` that returned true, in order (closed window first).
    func takeFirings() -> [Firing] {
        defer { pendingFirings.removeAll(keepingCapacity: true) }
        return pendingFirings
    }

    /// Sliding: trim to `(t - timespan, t]`, add, evaluate; on firing the
    /// group's events are spent and its state is freed.
    private func addSliding(_ gi: Int, _ t: Int64, _ origin: Int64, _ input: Int, _ value: UInt32, _ number: Double,
                            _ location: EventLocation) -> Firing? {
        // A window opened by this event keeps it inline (it holds nothing else).
        var inline = false
        if !states[gi].active {
            activate(gi, t)
            // (Only an event that is its own origin: a chained firing's older
            // origin would need a place in the state.)
            inline = inlinesFirst && origin == t
        } else if states[gi].inlineEntry {
            spillInline(gi)
        }
        let cutoff = t - spanMs
        while states[gi].head >= 0 && entries[Int(states[gi].head)].time <= cutoff { removeHead(gi) }
        switch kind {
        case .valueCount:
            if pairs.increment(PairCountTable.key(UInt32(gi), value)) == 1 { states[gi].distinct += 1 }
            valueIds.retain(value)
            if inline { keepInline(gi, location, tag: value) } else {
                append(gi, t, origin, number, location, tag: value, ownsPair: true)
            }
        case .temporal, .temporalOrdered:
            if pairs.increment(PairCountTable.key(UInt32(gi), UInt32(input))) == 1 { states[gi].distinct += 1 }
            if inline { keepInline(gi, location, tag: UInt32(input)) } else {
                append(gi, t, origin, number, location, tag: UInt32(input), ownsPair: true)
            }
        case .eventCount:
            if inline { keepInline(gi, location, tag: 0) } else {
                append(gi, t, origin, number, location, tag: 0, ownsPair: false)
            }
        case .valueSum, .valueAvg, .valuePercentile, .valueMedian:
            append(gi, t, origin, number, location, tag: 0, ownsPair: false)
        }
        states[gi].events += 1
        if tracksSum { extras[gi].sum += number }
        if hasExtras { extras[gi].origin = min(extras[gi].origin, origin) }
        if tracksSum && !(number >= 0) { extras[gi].firstNegative = min(extras[gi].firstNegative, origin) }
        states[gi].lastTime = max(states[gi].lastTime, t)
        if holds(gi) {
            spillInline(gi)
            // temporal_ordered starts at the first event of the earliest in-order
            // match, not at an older later-rule event that took no part in it.
            let start = kind == .temporalOrdered ? orderedMatchStart(gi) : entries[Int(states[gi].head)].time
            let f = firing(gi, start: start, end: t, detectedAt: t)
            noteSpent(gi, last: states[gi].lastTime)
            deactivate(gi)
            return f
        }
        armTimer(gi)
        return nil
    }

    /// Tumbling and session: aggregate without keeping every event, only the
    /// first few (samples) and those that introduced a distinct value (to undo
    /// their `pairs` entry when the window closes).
    private func absorb(_ gi: Int, _ t: Int64, _ origin: Int64, _ input: Int, _ value: UInt32, _ number: Double,
                        _ location: EventLocation) {
        if !countsProgress { states[gi].events += 1 }
        if tracksSum { extras[gi].sum += number }
        extras[gi].origin = min(extras[gi].origin, origin)
        var owns = false
        switch kind {
        case .valueCount:
            if pairs.insert(PairCountTable.key(UInt32(gi), value)) {
                states[gi].distinct += 1
                valueIds.retain(value)
                owns = true
            }
        case .temporal, .temporalOrdered:
            if input < 64, extras[gi].seenMask & (1 << UInt64(input)) == 0 {
                extras[gi].seenMask |= 1 << UInt64(input)
                states[gi].distinct += 1
            }
            if input == states[gi].progress { states[gi].progress += 1 }
        case .eventCount, .valueSum, .valueAvg, .valuePercentile, .valueMedian:
            break
        }
        if owns || states[gi].heldUpToLimit < CorrelationWindows.sampleLimit {
            append(gi, t, origin, number, location, tag: owns ? value : 0, ownsPair: owns)
        }
        states[gi].lastTime = max(states[gi].lastTime, t)
        lastSources[gi] = location.source
        lastPositions[gi] = location.position
    }

    // MARK: Conditions

    private func currentValue(_ gi: Int) -> Double {
        let s = states[gi]
        switch kind {
        case .eventCount: return Double(s.events)
        case .valueCount, .temporal, .temporalOrdered: return Double(s.distinct)
        case .valueSum: return extras[gi].sum
        case .valueAvg: return s.events > 0 ? extras[gi].sum / Double(s.events) : 0
        case .valuePercentile, .valueMedian: return windowPercentile(gi)
        }
    }

    private func holds(_ gi: Int) -> Bool {
        switch kind {
        case .temporal:
            return Int(states[gi].distinct) == inputCount
        case .temporalOrdered:
            if !isSliding { return states[gi].progress == inputCount }
            return Int(states[gi].distinct) == inputCount && matchesInOrder(gi)
        case .eventCount, .valueCount, .valueSum, .valueAvg, .valuePercentile, .valueMedian:
            return condition.holds(currentValue(gi))
        }
    }

    /// The percentile of the window's values, linear between the closest ranks.
    private func windowPercentile(_ gi: Int) -> Double {
        var values: [Double] = []
        values.reserveCapacity(Int(states[gi].events))  // sliding: one entry per event
        var e = states[gi].head
        while e >= 0 {
            values.append(entries[Int(e)].number)
            e = entries[Int(e)].next
        }
        return Percentile.linear(values, percentile)
    }

    /// Whether the window's events contain the inputs as a subsequence in listed
    /// order (earliest-match greedy, which finds one whenever one exists).
    private func matchesInOrder(_ gi: Int) -> Bool {
        spillInline(gi)
        var need: UInt32 = 0
        var e = states[gi].head
        while e >= 0 {
            if entries[Int(e)].tag == need {
                need += 1
                if need == UInt32(inputCount) { return true }
            }
            e = entries[Int(e)].next
        }
        return false
    }

    /// The time of the first event of the first rule in the window: where the
    /// earliest-match greedy scan of `matchesInOrder` begins its match.
    private func orderedMatchStart(_ gi: Int) -> Int64 {
        spillInline(gi)
        var e = states[gi].head
        while e >= 0 {
            if entries[Int(e)].tag == 0 { return entries[Int(e)].time }
            e = entries[Int(e)].next
        }
        return entries[Int(states[gi].head)].time
    }

    // MARK: Closing

    private func windowEnd(_ gi: Int) -> Int64 {
        isSession ? states[gi].lastTime + gapMs : windowStart(gi) + spanMs
    }

    /// Tumbling: the bucket start of the window's first event; session: that event's time.
    private func windowStart(_ gi: Int) -> Int64 {
        isSession ? extras[gi].firstTime : floorDiv(extras[gi].firstTime, spanMs) * spanMs
    }

    /// When the open window of `gi` closes: what `add` armed its timer for
    /// after its last event (the same arithmetic on the same fields, so it
    /// cannot trap here where it did not there).
    private func closeAt(_ gi: Int) -> Int64 {
        if isSliding { return states[gi].lastTime + spanMs }
        return isSession ? states[gi].lastTime + gapMs + 1 : windowStart(gi) + spanMs
    }

    /// Ends a tumbling bucket or a session: a condition that could only be
    /// judged on the whole window (lt, lte, eq, neq, avg) fires now, when the
    /// window is known to be over: at a bucket's end, or 1 ms after a session's
    /// end (an event at exactly last + gap still joins it). Every firing's
    /// `detectedAt` is thus the event time at which the engine handles it, so
    /// alerts come out in non-decreasing `detectedAt` order. Then the state is freed.
    /// Closes group `gi`'s window; true when it fired (`takeClosedFiring`).
    private func closeWindow(_ gi: Int) -> Bool {
        if !isSession { closedThrough = max(closedThrough, windowStart(gi) + spanMs) }
        var fired = false
        if let baseline {
            // The score replaces the condition: every closed window is scored, then learned.
            let start = windowStart(gi)
            if let s = baseline.observe(key: groups.bytes(UInt32(gi)), windowStart: start, value: currentValue(gi)),
               s.score >= baseline.spec.threshold {
                closedFiring = firing(gi, start: start, end: windowEnd(gi), detectedAt: windowEnd(gi))
                closedFiring!.baseline = s
                fired = true
            }
        } else if !firesEarly && !states[gi].fired && holds(gi) {
            let end = windowEnd(gi)
            closedFiring = firing(gi, start: windowStart(gi), end: end, detectedAt: isSession ? end + 1 : end)
            fired = true
        }
        noteSpent(gi, last: states[gi].lastTime)
        deactivate(gi)
        return fired
    }

    /// The firing of the window closed last (after `closeWindow` or `timerFired` said it fired).
    func takeClosedFiring() -> Firing {
        defer { closedFiring = nil }
        return closedFiring!
    }

    /// A due timer. True when it closed a window that fired (`takeClosedFiring`).
    func timerFired(_ timer: WindowTimer) -> Bool {
        let gi = Int(timer.group)
        states[gi].timerPending = false
        var f = false
        if states[gi].active {
            let closeAt = closeAt(gi)
            if closeAt > timer.closeAt {
                // The window was extended since this timer was set: re-arm, keeping its reference.
                states[gi].timerPending = true
                var again = timer
                again.closeAt = closeAt
                timers.push(again)
                return false
            }
            if isSliding {
                if episodeBound(gi) != nil { noteSpent(gi, last: states[gi].lastTime) }
                deactivate(gi)
            } else {
                f = closeWindow(gi)
            }
        }
        groupIds.release(timer.group)
        return f
    }

    private func armTimer(_ gi: Int) {
        guard !states[gi].timerPending else { return }
        states[gi].timerPending = true
        groupIds.retain(UInt32(gi))
        timers.push(WindowTimer(closeAt: closeAt(gi), correlation: Int32(index), group: UInt32(gi)))
    }

    /// The oldest event time that any open window of this correlation derives
    /// from: where a replay must start to rebuild it (`replayOrigin`).
    func oldestRetainedTime() -> Int64? {
        var oldest: Int64? = nil
        for gi in 0..<states.count where states[gi].active {
            let t = replayOrigin(gi)
            oldest = min(oldest ?? t, t)
        }
        return oldest
    }

    /// Where a replay must start so that the group's window decides, from
    /// there on, as it did in the original run: the oldest origin of a tumbling
    /// or session window; of a sliding window, that of the events it holds, or
    /// its `episodeBound` when older.
    private func replayOrigin(_ gi: Int) -> Int64 {
        guard isSliding else { return extras[gi].origin }
        let held = slidingOrigin(gi)
        return episodeBound(gi).map { min($0, held) } ?? held
    }

    /// Sliding: how far back in the group's episode (its events since it last
    /// started, fired or expired) a replay must start, beyond the events it
    /// still holds; nil when those suffice. A replay that starts inside the
    /// episode evaluates its first windows without the older events the
    /// original run held then (within an episode each event's window holds the
    /// previous one). For a count, a distinct count, a temporal match or a sum
    /// of numbers >= 0 the missing events only lower the value, so the replay
    /// fires no earlier and, as it starts before every window that fired
    /// (`spentSpans`), exactly where the original did. An average or a
    /// percentile can rise instead, so the whole episode is replayed; a sum
    /// can rise only once a number below 0 is missing, so the replay starts at
    /// the first such number at the latest.
    private func episodeBound(_ gi: Int) -> Int64? {
        switch kind {
        case .valueAvg, .valuePercentile, .valueMedian: return extras[gi].origin
        case .valueSum: return extras[gi].firstNegative == .max ? nil : extras[gi].firstNegative
        case .eventCount, .valueCount, .temporal, .temporalOrdered: return nil
        }
    }

    private func slidingOrigin(_ gi: Int) -> Int64 {
        // One event inline: its own origin, its time (see `addSliding`).
        if states[gi].inlineEntry { return states[gi].lastTime }
        var oldest = Int64.max
        var e = states[gi].head
        while e >= 0 {
            oldest = min(oldest, entries[Int(e)].origin)
            e = entries[Int(e)].next
        }
        return oldest
    }

    // MARK: Memory bound (`--max-state`)

    /// What the open windows take: per open group its state (with its last
    /// location outside sliding windows) and its key's share of the interners
    /// and pair table, plus the entries held.
    var estimatedBytes: Int {
        activeGroups &* (MemoryLayout<GroupWindow>.stride &+ (hasExtras ? MemoryLayout<GroupExtras>.stride : 0)
                         &+ 16 &+ (isSliding ? 0 : 12))
            &+ liveEntries &* MemoryLayout<WindowEntry>.stride
            &+ groups.liveBytes &+ values.liveBytes &+ pairs.count &* 12
    }

    /// How much an open window has gathered: its events (distinct values or
    /// rules for value_count and temporal kinds), capped so that the order
    /// between busy windows is left to their last update.
    @inline(__always)
    private func weight(_ gi: Int) -> Int64 {
        let s = states[gi]
        let n: Int64
        switch kind {
        case .valueCount, .temporal, .temporalOrdered: n = Int64(s.distinct)
        default: n = s.events
        }
        return min(n, 1 << 20)
    }

    /// The eviction order of an open window: lightest first, then least recently
    /// updated. A spray of one-off groups (random user names or addresses) is
    /// dropped before the few windows that are building up to a threshold.
    @inline(__always)
    private func evictionKey(_ gi: Int) -> EvictionKey {
        EvictionKey(weight: weight(gi), lastUpdate: states[gi].lastTime)
    }

    /// The eviction keys of about one in `every` open groups (a sample that
    /// picks the eviction threshold without sorting every group).
    func sampleEvictionKeys(every: Int, into out: inout [EvictionKey]) {
        var gi = 0
        let step = max(1, every)
        while gi < states.count {
            if states[gi].active { out.append(evictionKey(gi)) }
            gi += step
        }
    }

    /// Whether the group's window is closed (a pending timer of it only frees the group).
    @inline(__always)
    func isInactive(_ group: UInt32) -> Bool { !states[Int(group)].active }

    /// A timer of a closed window was taken out of the queue (`TimerQueue.purge`).
    func timerDropped(_ timer: WindowTimer) {
        states[Int(timer.group)].timerPending = false
        groupIds.release(timer.group)
    }

    /// Drops every open window whose eviction key is at or below `threshold`.
    /// Its events are forgotten, so a later event of the group starts a new
    /// window. Returns how many.
    func evict(atOrBelow threshold: EvictionKey) -> Int {
        var n = 0
        for gi in 0..<states.count where states[gi].active && !(threshold < evictionKey(gi)) {
            noteSpent(gi, last: states[gi].lastTime)
            deactivate(gi)  // a pending timer finds the state inactive and only lets go of the group
            n += 1
        }
        evicted += n
        return n
    }

    // MARK: State and entries

    private func growStates() {
        while states.count < groupIds.idCapacity { states.append(GroupWindow()) }
        if hasExtras {
            while extras.count < states.count { extras.append(GroupExtras()) }
        }
        if !isSliding {
            while lastSources.count < states.count { lastSources.append(-1); lastPositions.append(0) }
        }
    }

    private func firing(_ gi: Int, start: Int64, end: Int64, detectedAt: Int64) -> Firing {
        spillInline(gi)
        var samples: [EventLocation] = []
        var e = states[gi].head
        while e >= 0 && samples.count < CorrelationWindows.sampleLimit {
            samples.append(entries[Int(e)].location)
            e = entries[Int(e)].next
        }
        let first = isSliding ? entries[Int(states[gi].head)].time : extras[gi].firstTime
        let origin = replayOrigin(gi)
        // Sliding: every event is appended, so the tail is the last one.
        let last = isSliding ? entries[Int(states[gi].tail)].location
            : EventLocation(source: lastSources[gi], position: lastPositions[gi])
        groupIds.retain(UInt32(gi))
        return Firing(correlation: index, group: UInt32(gi), windowStart: start, windowEnd: end,
                      detectedAt: detectedAt, firstSeen: first, lastSeen: states[gi].lastTime,
                      value: currentValue(gi), origin: origin, samples: samples, lastLocation: last)
    }

    private func activate(_ gi: Int, _ t: Int64) {
        let pending = states[gi].timerPending
        states[gi] = GroupWindow()
        if hasExtras { extras[gi] = GroupExtras() }
        states[gi].timerPending = pending
        states[gi].active = true
        if !isSliding { extras[gi].firstTime = t }  // sliding: the slot is `firstNegative`
        states[gi].lastTime = t
        groupIds.retain(UInt32(gi))
        activeGroups += 1
    }

    private func deactivate(_ gi: Int) {
        if states[gi].inlineEntry { dropInline(gi) }
        while states[gi].head >= 0 { removeHead(gi) }
        states[gi].active = false
        activeGroups -= 1
        groupIds.release(UInt32(gi))
    }

    private func append(_ gi: Int, _ t: Int64, _ origin: Int64, _ number: Double, _ location: EventLocation,
                        tag: UInt32, ownsPair: Bool) {
        let entry = WindowEntry(time: t, origin: origin, number: number, position: location.position,
                                source: location.source, tag: tag, next: -1, ownsPair: ownsPair)
        let e: Int32
        if freeEntries >= 0 {
            e = freeEntries
            freeEntries = entries[Int(e)].next
            entries[Int(e)] = entry
        } else {
            e = Int32(entries.count)
            entries.append(entry)
        }
        if states[gi].tail >= 0 { entries[Int(states[gi].tail)].next = e } else { states[gi].head = e }
        states[gi].tail = e
        if !isSliding && states[gi].heldUpToLimit < CorrelationWindows.sampleLimit { states[gi].heldUpToLimit += 1 }
        liveEntries += 1
    }

    /// Sliding: the window's first event, kept in its state (`addSliding`
    /// already counted its pair). Not an entry, so not in `liveEntries`.
    @inline(__always)
    private func keepInline(_ gi: Int, _ location: EventLocation, tag: UInt32) {
        states[gi].inlineEntry = true
        states[gi].inlineLocation = location
        if tagsEntries { states[gi].inlineTag = tag }
    }

    /// Moves an inline event into an entry (a second event came, or the
    /// window's events are walked): the entry `addSliding` would have
    /// appended. Its time is the window's `lastTime` (it opened the window
    /// and is still its only event), and so is its origin (only an event
    /// that is its own origin is kept inline); its number no kind that inlines reads.
    private func spillInline(_ gi: Int) {
        guard states[gi].inlineEntry else { return }
        let location = states[gi].inlineLocation
        let tag = tagsEntries ? states[gi].inlineTag : 0
        states[gi].inlineEntry = false
        if tagsEntries { states[gi].distinct = 1 }
        states[gi].head = -1
        states[gi].tail = -1
        append(gi, states[gi].lastTime, states[gi].lastTime, 0, location, tag: tag, ownsPair: tagsEntries)
    }

    /// Forgets an inline event as `removeHead` would an entry.
    private func dropInline(_ gi: Int) {
        let tag = tagsEntries ? states[gi].inlineTag : 0
        states[gi].inlineEntry = false
        if tagsEntries { states[gi].distinct = 1 }
        states[gi].head = -1
        states[gi].tail = -1
        if tagsEntries {
            if pairs.decrement(PairCountTable.key(UInt32(gi), tag)) == 0 { states[gi].distinct -= 1 }
            if kind == .valueCount { valueIds.release(tag) }
        }
        states[gi].events -= 1
    }

    /// Drops the oldest entry. In a sliding window every event is an entry, so
    /// the aggregates follow; elsewhere the state is being freed anyway.
    private func removeHead(_ gi: Int) {
        let e = states[gi].head
        let entry = entries[Int(e)]
        states[gi].head = entry.next
        if entry.next < 0 { states[gi].tail = -1 }
        liveEntries -= 1
        if entry.ownsPair {
            if pairs.decrement(PairCountTable.key(UInt32(gi), entry.tag)) == 0 { states[gi].distinct -= 1 }
            if kind == .valueCount { valueIds.release(entry.tag) }
        }
        if isSliding {
            states[gi].events -= 1
            if tracksSum { extras[gi].sum = states[gi].events == 0 ? 0 : extras[gi].sum - entry.number }
        }
        entries[Int(e)].next = freeEntries
        freeEntries = e
    }
}

/// A `ByteInterner` called through an unretained handle: a call on a
/// class-typed property is wrapped in a retain/release pair (two atomic
/// operations), which the per-record calls avoid this way. The owner keeps the
/// interner alive for the handle's whole life.
struct UnretainedInterner {
    private let ref: Unmanaged<ByteInterner>

    init(_ interner: ByteInterner) { ref = Unmanaged.passUnretained(interner) }

    @inline(__always)
    var idCapacity: Int { ref._withUnsafeGuaranteedRef { $0.idCapacity } }
    @inline(__always)
    func acquire(_ bytes: UnsafeRawBufferPointer) -> UInt32 { ref._withUnsafeGuaranteedRef { $0.acquire(bytes) } }
    @inline(__always)
    func retain(_ id: UInt32) { ref._withUnsafeGuaranteedRef { $0.retain(id) } }
    @inline(__always)
    func release(_ id: UInt32) { ref._withUnsafeGuaranteedRef { $0.release(id) } }
    @inline(__always)
    func orderPrefix(_ id: UInt32) -> UInt64 { ref._withUnsafeGuaranteedRef { $0.orderPrefix(id) } }
}
