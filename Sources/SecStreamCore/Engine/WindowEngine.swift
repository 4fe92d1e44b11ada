/// The single-threaded, event-time stateful stage (docs/windows.md).
///
/// The pipeline calls, in arrival order, `admit` for every valid event (with
/// the match records its worker produced), `advance(wallClock:)` now and then,
/// and `finish()` at the end of bounded input. The engine:
/// - tracks the watermark (largest event time seen minus the lateness, minimum
///   over active inputs) and rejects late events;
/// - holds match records in a reorder buffer (min-heap on event time, then
///   arrival) until the watermark passes them, so window state sees each
///   group's events in event-time order whatever the arrival order;
/// - interleaves window closings (by close time, rule index, group key) with
///   the released events: a window closing at T is handled before any event
///   at T or later, so the alert sequence is a function of the events alone;
/// - turns firings into alerts and feeds them to the correlations that
///   reference the firing rule, at the firing time.
///
/// Use, per chunk of lines:
///
///     batch.reset()                                   // one MatchBatch per chunk, reused
///     // worker thread, for each line k (event time t) and each detection d it matched:
///     batch.withAppending { extractor.extract(detection: d, event: view, time: t, location: loc, line: k, into: &$0) }
///     // engine thread, for every valid line k of the chunk, in order:
///     if try !engine.admit(time: t, input: partition, line: k, of: batch) { /* dead-letter line k */ }
///     // now and then: try engine.advance(wallClock: nowMs); at end of bounded input: try engine.finish()
///     // (each throws what the alert sink threw)
public final class WindowEngine {
    public let options: EngineOptions
    let plan: EnginePlan
    private let sources: SourceTable
    private let sink: AlertSink
    private let windows: [CorrelationWindows]
    private let timers: TimerQueue
    private let reorder = ReorderBuffer()
    private let clock: WatermarkTracker
    private let gate: FutureGate
    // `@exclusivity(unchecked)` on this state: only the engine thread touches it,
    // never through overlapping accesses, and the runtime's dynamic check of each
    // access (a thread-local access set) was 11% of the instructions per event of
    // the built-in pack. Bounds and overflow checks stay on.
    /// What the gate decided and the engine has not applied yet.
    @exclusivity(unchecked) private var gateOutcomes: [FutureGate.Outcome] = []
    /// What became of held events, for the caller (`takeHeldOutcomes`).
    @exclusivity(unchecked) private var heldOutcomes: [HeldOutcome] = []
    @exclusivity(unchecked) private var arrival: UInt64 = 0
    @exclusivity(unchecked) private var chainKey: [UInt8] = []
    @exclusivity(unchecked) private var counts = EngineCounters()
    /// Matches processed since the state was last checked against `--max-state`.
    @exclusivity(unchecked) private var sinceStateCheck = 0

    /// Per target id, `plan.targets` flattened for the per-record path (no enum
    /// payload to unpack, no array of class references to retain).
    private struct Route {
        /// The correlation fed, or -1 when the target is a detection's own alert.
        var correlation: Int32
        var input: Int32
        var detection: Int32
        /// value_count: the record's value bytes are interned.
        var internsValue: Bool
        /// The correlation counts only new terms (`histories`).
        var newTerms: Bool
    }
    private let routes = PlainBuffer<Route>()
    /// `windows` again, unretained: the engine keeps them alive through `windows`.
    private let windowRefs = PlainBuffer<Unmanaged<CorrelationWindows>>()
    /// Per correlation, the learned history of a new_terms one (nil for the others).
    let histories: [NewTermsHistory?]
    /// Per correlation, the learned window values of a baseline one (nil for the others).
    let baselines: [BaselineHistory?]

    public init(rules: RuleSet, options: EngineOptions = EngineOptions(), sources: SourceTable, sink: AlertSink) {
        self.options = options
        self.plan = EnginePlan(rules: rules)
        self.sources = sources
        self.sink = sink
        let timers = TimerQueue()
        self.timers = timers
        self.windows = rules.correlations.enumerated().map { CorrelationWindows(index: $0.offset, rule: $0.element, timers: timers) }
        self.histories = rules.correlations.map { $0.newTerms.map(NewTermsHistory.init) }
        self.baselines = rules.correlations.map { c in c.baseline.map { BaselineHistory(spec: $0, timespanMs: c.timespanMs) } }
        for (w, b) in zip(windows, baselines) { w.baseline = b }
        timers.configure(interners: windows.map(\.groups), batched: windows.map(\.isTumbling),
                         sorted: windows.map(\.closingMayFire))
        clock = WatermarkTracker(latenessMs: options.latenessMs, idleTimeoutMs: options.idleTimeoutMs)
        gate = FutureGate(skewMs: options.maxFutureSkewMs, quorum: options.futureQuorum)
        for w in windows { windowRefs.append(Unmanaged.passUnretained(w)) }
        for target in plan.targets {
            switch target {
            case .detectionAlert(let d):
                routes.append(Route(correlation: -1, input: 0, detection: Int32(d), internsValue: false, newTerms: false))
            case .correlationInput(let c, let i):
                routes.append(Route(correlation: Int32(c), input: Int32(i), detection: -1,
                                    internsValue: plan.valueNeeds[c] == .bytes, newTerms: histories[c] != nil))
            }
        }
    }

    /// Current watermark (epoch ms; `Int64.min` before the first event).
    public var watermark: Int64 { clock.watermark }

    /// Per input (a Kafka partition, a followed file), the largest event time
    /// seen (epoch ms): what each one holds the watermark at. For metrics.
    public func forEachInputEventTime(_ body: (_ input: Int, _ maxTime: Int64) -> Void) {
        clock.forEachInputTime(body)
    }

    public var counters: EngineCounters {
        var c = counts
        c.openGroups = windows.reduce(0) { $0 + $1.activeGroups }
        c.pendingMatches = reorder.count
        c.heldEvents = gate.heldCount
        c.evictedWindows = windows.reduce(0) { $0 + $1.evicted }
        for case let h? in histories {
            c.newTermsGroups += h.liveGroups
            c.newTermsTerms += h.liveTerms
            c.newTermsEvictedGroups += h.evictedGroups
            c.newTermsEvictedTerms += h.evictedTerms
        }
        for case let b? in baselines {
            c.baselineGroups += b.liveGroups
            c.baselineEvictedGroups += b.evictedGroups
            c.baselineStaleWindows += b.staleWindows
        }
        return c
    }

    /// The largest `detected_at` of the alerts emitted so far; alerts come
    /// out in non-decreasing `detected_at` order.
    @exclusivity(unchecked) public private(set) var lastAlertTime: Int64?

    /// The event time of the oldest event the engine still depends on: held in
    /// the reorder buffer, or the oldest event behind an open window (through
    /// chains too; for a sliding average or percentile, the first event of the
    /// group's episode, whose windows the later ones overlap; see
    /// `CorrelationWindows.episodeBound`): no open state depends on anything
    /// older, so a Kafka commit must keep every record at or after it. A restart replays from
    /// `resumeEventTime()`, which moves this bound back so it cuts no window
    /// that had already ended. Nil when nothing is retained.
    /// Scans the open windows: call it at commit time, not per event.
    public var oldestRetainedEventTime: Int64? {
        var oldest = reorder.nextTime
        if let t = gate.oldestHeldTime { oldest = min(oldest ?? t, t) }
        for w in windows {
            if let t = w.oldestRetainedTime() { oldest = min(oldest ?? t, t) }
        }
        return oldest
    }

    /// Where a Kafka restart starts replaying, as an event time: the oldest
    /// retained event, moved back to the start of any ended window it would
    /// otherwise cut (repeatedly, as moving back can cut another). A replay
    /// from here cuts no tumbling or session window and no sliding window
    /// that fired; a sliding window it starts inside misses only events whose
    /// absence can lower its value, never raise it. So the rebuilt windows
    /// fire exactly where the original run's did (same alert ids, withheld by
    /// the marks) and then carry on identically. Nil when nothing
    /// is retained. Call it at commit time: it also forgets ended windows
    /// that no later restart can reach.
    public func resumeEventTime() -> Int64? {
        guard var t = oldestRetainedEventTime else { return nil }
        var moved = true
        while moved {
            moved = false
            for w in windows {
                for s in w.spentSpans where s.origin < t && t <= s.last {
                    t = s.origin
                    moved = true
                }
            }
        }
        // Later resume points only move forward (the watermark does); keep a
        // margin of the lateness for stragglers released after this one.
        for w in windows { w.pruneSpent(before: t - options.latenessMs) }
        return t
    }

    /// Per rule (title), how many of its open windows were dropped under `--max-state` (fewest events first).
    public var evictionsByRule: [(rule: String, windows: Int)] {
        windows.filter { $0.evicted > 0 }.map { ($0.rule.meta.title, $0.evicted) }
    }

    /// Per new_terms rule (title), how many groups' histories were dropped
    /// under `--max-state` (least recently seen first).
    public var newTermsEvictionsByRule: [(rule: String, groups: Int)] {
        zip(windows, histories).compactMap { w, h in
            guard let h, h.evictedGroups > 0 else { return nil }
            return (w.rule.meta.title, h.evictedGroups)
        }
    }

    /// Per baseline rule (title), how many groups' histories were dropped
    /// under `--max-state` (least recently scored first).
    public var baselineEvictionsByRule: [(rule: String, groups: Int)] {
        zip(windows, baselines).compactMap { w, b in
            guard let b, b.evictedGroups > 0 else { return nil }
            return (w.rule.meta.title, b.evictedGroups)
        }
    }

    /// Keeps the window state and reorder buffer under `--max-state`: past it,
    /// drops open windows until the state is under 80% of the bound, those
    /// that have gathered the fewest events first and, among equals, the least
    /// recently updated (`EvictionKey`). The threshold is a quantile of a
    /// sample of the keys, so a round scans the groups once and sorts only the sample.
    ///
    /// New-terms histories and baselines count toward the bound too. Past it they give up
    /// their share of the excess first (their least recently seen groups),
    /// then the windows are evicted as above, and if that is not enough the
    /// histories give up the rest.
    private func boundState() {
        let pendingBytes = reorder.count &* MemoryLayout<PendingMatch>.stride
            &+ timers.pendingCount &* MemoryLayout<WindowTimer>.stride
        var total = stateBytes(pendingBytes)
        counts.stateBytes = total
        let cap = options.maxStateBytes
        guard total > cap else { return }
        let target = cap / 10 * 8
        shrinkHistories(by: Double(total - target) * Double(historyBytes) / Double(max(1, total)))
        total = stateBytes(pendingBytes)
        var rounds = 0
        while total > target && rounds < 8 {
            rounds += 1
            let open = windows.reduce(0) { $0 + $1.activeGroups }
            guard open > 0 else { break }
            var sample: [EvictionKey] = []
            let every = max(1, open / 2048)
            for w in windows { w.sampleEvictionKeys(every: every, into: &sample) }
            guard !sample.isEmpty else { break }
            sample.sort()
            let share = min(1.0, Double(total - target) / Double(max(1, total - pendingBytes)) + 0.05)
            let threshold = sample[min(sample.count - 1, Int(Double(sample.count) * share))]
            var dropped = 0
            for w in windows { dropped += w.evict(atOrBelow: threshold) }
            if dropped == 0 { break }
            // The dropped windows' timers would keep their group keys until due.
            let refs = windowRefs
            for t in timers.purge({ t in refs[Int(t.correlation)]._withUnsafeGuaranteedRef { $0.isInactive(t.group) } }) {
                windows[Int(t.correlation)].timerDropped(t)
            }
            total = stateBytes(pendingBytes)
        }
        if total > target {
            shrinkHistories(by: Double(total - target))
            total = stateBytes(pendingBytes)
        }
        counts.stateBytes = total
    }

    private var historyBytes: Int {
        histories.reduce(0) { $0 &+ ($1?.estimatedBytes ?? 0) } &+ baselines.reduce(0) { $0 &+ ($1?.estimatedBytes ?? 0) }
    }

    private func stateBytes(_ pendingBytes: Int) -> Int {
        windows.reduce(pendingBytes &+ historyBytes) { $0 &+ $1.estimatedBytes }
    }

    /// Drops about `bytes` of learned history (new terms, baselines), each
    /// history in proportion to its size.
    private func shrinkHistories(by bytes: Double) {
        let all = Double(historyBytes)
        guard bytes > 0, all > 0 else { return }
        for case let h? in histories {
            let size = h.estimatedBytes
            h.evict(downTo: size - Int((bytes * Double(size) / all).rounded(.up)))
        }
        for case let b? in baselines {
            let size = b.estimatedBytes
            b.evict(downTo: size - Int((bytes * Double(size) / all).rounded(.up)))
        }
    }

    /// Declares an input (e.g. an assigned Kafka partition) before its first
    /// event, so it holds the watermark back until it delivers or goes idle.
    public func registerInput(_ input: Int) { clock.register(input) }

    /// Declares an input whose first event is known to be at `time` before it
    /// is read (a file the merge opens later): it holds the watermark at
    /// `time` minus the lateness until it delivers, as it will after that
    /// first event, rather than wherever the watermark stands.
    public func registerInput(_ input: Int, startingAt time: Int64) { clock.register(input, from: time) }

    /// An input ended (a bounded file read to its end): it stops holding the
    /// watermark back, and its events still gathering or held ahead by the
    /// future gate are judged now, as at the end of the run, since no later
    /// event of it can confirm them. Releases what the watermark then allows.
    public func endInput(_ input: Int) throws {
        // The gate first: the events it admits now are the input's last, and
        // the first of an input the clock has not seen yet declare it there.
        if gate.isEnabled {
            gate.end(input, into: &gateOutcomes)
            applyGateOutcomes()
        }
        clock.end(input)
        try release(upTo: releaseBound)
    }

    /// Marks an input alive without an event: a Kafka partition with records
    /// still to deliver (behind its high watermark) is slow, not idle, and
    /// must keep holding the watermark back.
    public func touchInput(_ input: Int) { clock.touch(input) }

    /// What `admission` did with an event.
    public enum Admission: Equatable {
        case onTime
        /// Older than the watermark: the caller dead-letters it.
        case late
        /// Too far ahead of its input (or among the input's first events):
        /// held aside under this id until `takeHeldOutcomes` says what became of it.
        case held(Int64)
    }

    /// What became of a held event.
    public enum HeldOutcome: Equatable {
        /// Admitted after all; `onTime` false: it was late by then (dead-letter it as late).
        case released(id: Int64, time: Int64, onTime: Bool)
        /// Never caught up: dead-letter it with reason `future`.
        case future(id: Int64, time: Int64, frontier: Int64)
    }

    /// Admits a valid event that matched no detection rule (it still moves the
    /// watermark). Returns false when the event is late: the caller dead-letters it.
    @discardableResult
    public func admit(time: Int64, input: Int = 0) throws -> Bool {
        try admission(time: time, input: input, line: -1, of: nil) != .late
    }

    /// Admits the event of line `line` of the chunk whose matches are in `batch`
    /// and takes that line's match records (records are in line order; call
    /// this for the chunk's lines in order). A late event's records are dropped
    /// and false is returned: the caller dead-letters the event. (A held event
    /// counts as admitted; callers that dead-letter `future` events use `admission`.)
    @discardableResult
    public func admit(time: Int64, input: Int = 0, line: Int, of batch: MatchBatch) throws -> Bool {
        try admission(time: time, input: input, line: line, of: batch) != .late
    }

    /// `admit`, telling held events apart. `batch` nil: the event matched nothing.
    public func admission(time: Int64, input: Int = 0, line: Int, of batch: MatchBatch?) throws -> Admission {
        guard let batch else {
            var none = MatchRecordView.empty
            return try admission(time: time, input: input, line: line, of: &none)
        }
        return try batch.withRecords { try admission(time: time, input: input, line: line, of: &$0) }
    }

    /// `admission` with a job's records opened once for all its lines
    /// (`MatchBatch.withRecords`; lines in increasing order).
    @inline(__always)
    public func admission(time: Int64, input: Int = 0, line: Int, of view: inout MatchRecordView) throws -> Admission {
        if gate.isEnabled && gate.mustHold(time, input: input) {
            var records: [PendingMatch] = []
            takeRecords(line: line, of: &view, intern: true) { records.append($0) }
            let id = gate.hold(time, input: input, records: records, into: &gateOutcomes)
            applyGateOutcomes()
            try release(upTo: releaseBound)
            return .held(id)
        }
        let onTime = accept(time, input)
        // A late event's records are passed over, never interned.
        takeRecords(line: line, of: &view, intern: onTime) { push($0, input: input) }
        if gate.isEnabled {
            gate.accepted(time, input: input, into: &gateOutcomes)
            applyGateOutcomes()
        }
        try release(upTo: releaseBound)
        return onTime ? .onTime : .late
    }

    /// What became of held events since the last call, in decision order.
    public func takeHeldOutcomes() -> [HeldOutcome] {
        defer { heldOutcomes.removeAll(keepingCapacity: true) }
        return heldOutcomes
    }

    /// Line `line`'s match records, interned and handed to `body`, or with
    /// `intern` false only passed over (records of lines before it, which
    /// were skipped, are passed over too).
    @inline(__always)
    private func takeRecords(line: Int, of view: inout MatchRecordView, intern: Bool, _ body: (PendingMatch) -> Void) {
        let records = view.records
        var r = view.next
        guard r < records.count && Int(records[r].line) <= line else { return }
        while r < records.count && Int(records[r].line) < line { r += 1 }
        while r < records.count && Int(records[r].line) == line {
            if intern { body(pending(records[r], view.bytes)) }
            r += 1
        }
        view.next = r
    }

    /// Applies the gate's decisions: a released event is admitted as if it
    /// arrived now (which may release more), a rejected one's records dropped.
    private func applyGateOutcomes() {
        var k = 0
        while k < gateOutcomes.count {
            switch gateOutcomes[k] {
            case .release(let h):
                let onTime = accept(h.time, h.input)
                for m in h.records { if onTime { push(m, input: h.input) } else { drop(m) } }
                heldOutcomes.append(.released(id: h.id, time: h.time, onTime: onTime))
                gate.accepted(h.time, input: h.input, into: &gateOutcomes)
            case .reject(let h, let frontier):
                for m in h.records { drop(m) }
                counts.futureEvents += 1
                heldOutcomes.append(.future(id: h.id, time: h.time, frontier: frontier))
            }
            k += 1
        }
        // Nearly always empty: `removeAll` itself is a uniqueness check and a
        // range replacement per admitted event.
        if k > 0 { gateOutcomes.removeAll(keepingCapacity: true) }
    }

    /// Moves the wall clock that decides when an input is idle, and releases
    /// what the resulting watermark allows.
    public func advance(wallClock: Int64) throws {
        clock.setWallClock(wallClock)
        if gate.isEnabled {
            gate.advance(wallClock: wallClock, patienceMs: options.idleTimeoutMs, into: &gateOutcomes)
            applyGateOutcomes()
        }
        try release(upTo: releaseBound)
    }

    /// End of bounded input: releases every held event and closes every window.
    public func finish() throws {
        if gate.isEnabled {
            gate.finish(into: &gateOutcomes)
            applyGateOutcomes()
        }
        try release(upTo: .max)
    }

    /// Events and window closings at or before this time are processed. The
    /// watermark must pass an event (be later than it) before it is released,
    /// since an event exactly at the watermark is not late and may still come;
    /// with lateness 0 (arrival order, no delay) everything seen is released.
    private var releaseBound: Int64 {
        let w = clock.watermark
        return options.latenessMs > 0 && w != .min ? w - 1 : w
    }

    // MARK: Arrival

    /// A late event still shows how far its input has got: an input whose events
    /// all come late (a partition far behind) must not freeze the watermark.
    private func accept(_ t: Int64, _ input: Int) -> Bool {
        let late = clock.isLate(t)
        clock.observe(t, input: input)
        if late {
            counts.lateEvents += 1
            return false
        }
        counts.eventsAdmitted += 1
        return true
    }

    /// A record with its key (and value) interned; its arrival is set by `push`.
    @inline(__always)
    private func pending(_ r: MatchRecord, _ bytes: UnsafeRawBufferPointer) -> PendingMatch {
        var group: UInt32 = 0
        var value = CorrelationWindows.noValue
        let route = routes[Int(r.target)]
        if route.correlation >= 0 {
            windowRefs[Int(route.correlation)]._withUnsafeGuaranteedRef { w in
                let key = UnsafeRawBufferPointer(rebasing: bytes[Int(r.keyStart)..<Int(r.keyStart + r.keyLength)])
                group = w.groupIds.acquire(key)
                if route.internsValue {
                    value = w.valueIds.acquire(UnsafeRawBufferPointer(rebasing: bytes[Int(r.valueStart)..<Int(r.valueStart + r.valueLength)]))
                }
            }
        }
        return PendingMatch(time: r.time, arrival: 0, target: r.target, group: group, value: value,
                            number: r.number, eventHash: r.eventHash, location: r.location)
    }

    /// Holds a record in the reorder buffer, in arrival order.
    @inline(__always)
    private func push(_ m: PendingMatch, input: Int) {
        var m = m
        m.arrival = arrival
        reorder.push(m, input: input)
        arrival += 1
        counts.matches += 1
    }

    /// Gives back the interned ids of a record that will not be processed.
    private func drop(_ m: PendingMatch) {
        let route = routes[Int(m.target)]
        guard route.correlation >= 0 else { return }
        windowRefs[Int(route.correlation)]._withUnsafeGuaranteedRef { w in
            w.groupIds.release(m.group)
            if m.value != CorrelationWindows.noValue { w.valueIds.release(m.value) }
        }
    }

    // MARK: Event-time processing

    /// Processes, in event-time order, every held match at or before `watermark`
    /// and every window closing at or before it; closings first on equal times.
    private func release(upTo watermark: Int64) throws {
        let timers = self.timers
        while true {
            let nextMatch = reorder.nextTimeOrMax
            let nextClose = timers.nextCloseAt
            if nextClose <= watermark && nextClose <= nextMatch && !timers.isEmpty {
                let t = timers.pop()
                countStateWork()
                let windows = windowRefs[Int(t.correlation)]
                if windows._withUnsafeGuaranteedRef({ $0.timerFired(t) }) {
                    try handle(windows._withUnsafeGuaranteedRef { $0.takeClosedFiring() })
                }
            } else if nextMatch <= watermark && !reorder.isEmpty {
                try process(reorder.pop())
            } else {
                return
            }
        }
    }

    /// Every 4096 matches or window closings (a baseline learns a group's
    /// history when its window closes), the state is checked against `--max-state`.
    @inline(__always)
    private func countStateWork() {
        if options.maxStateBytes > 0 {
            sinceStateCheck &+= 1
            if sinceStateCheck >= 4096 { sinceStateCheck = 0; boundState() }
        }
    }

    private func process(_ m: PendingMatch) throws {
        countStateWork()
        let route = routes[Int(m.target)]
        if route.correlation < 0 {
            let meta = plan.rules.detections[Int(route.detection)].meta
            try emitAlert(meta: meta, groupBy: [], key: UnsafeRawBufferPointer(start: nil, count: 0), start: m.time,
                      end: m.time, value: 1, firstSeen: m.time, lastSeen: m.time, detectedAt: m.time,
                      samples: [m.location], eventHash: m.eventHash)
            return
        }
        if route.newTerms && !isNewTerm(m, correlation: Int(route.correlation)) { return }
        let fired = windowRefs[Int(route.correlation)]._withUnsafeGuaranteedRef { w in
            let fired = w.add(group: m.group, time: m.time, origin: m.time, input: Int(route.input), value: m.value,
                              number: m.number, location: m.location)
            w.groupIds.release(m.group)
            if m.value != CorrelationWindows.noValue { w.valueIds.release(m.value) }
            return fired
        }
        if fired {
            for f in windows[Int(route.correlation)].takeFirings() { try handle(f) }
        }
    }

    /// new_terms: records the record's term for its group and says whether it
    /// is new (and the warm-up over); if not, the record is done with here.
    private func isNewTerm(_ m: PendingMatch, correlation c: Int) -> Bool {
        let w = windows[c]
        guard let history = histories[c] else { return true }
        if history.observe(key: w.groups.bytes(m.group), time: m.time) == .new { return true }
        w.groups.release(m.group)
        return false
    }

    /// A correlation fired: write its alert, then feed it as an event (at the
    /// firing time, with its group values) to each correlation referencing it.
    private func handle(_ f: Firing) throws {
        let w = windows[f.correlation]
        let rule = w.rule
        if rule.emitsAlerts {
            try emitAlert(meta: rule.meta, groupBy: rule.groupBy, key: w.groups.bytes(f.group), start: f.windowStart,
                      end: f.windowEnd, value: f.value, firstSeen: f.firstSeen, lastSeen: f.lastSeen,
                      detectedAt: f.detectedAt, samples: f.samples, eventHash: nil, baseline: f.baseline)
        }
        for (c2, i2) in plan.chainTargets[f.correlation] {
            // A firing carries no field value, so it takes no part in value_* correlations.
            guard plan.valueNeeds[c2] == .none else { continue }
            let target = windows[c2]
            guard GroupKey.remap(w.groups.bytes(f.group), indexes: target.rule.inputs[i2].groupIndexes, into: &chainKey)
            else { continue }
            let g2 = chainKey.withUnsafeBytes { target.groups.acquire($0) }
            let fired = target.add(group: g2, time: f.detectedAt, origin: f.origin, input: i2, value: CorrelationWindows.noValue,
                                   number: f.value, location: f.lastLocation)
            target.groups.release(g2)
            if fired {
                for x in target.takeFirings() { try handle(x) }
            }
        }
        w.groups.release(f.group)
    }

    private func emitAlert(meta: RuleMeta, groupBy: [String], key: UnsafeRawBufferPointer, start: Int64, end: Int64,
                           value: Double, firstSeen: Int64, lastSeen: Int64, detectedAt: Int64,
                           samples: [EventLocation], eventHash: UInt64?, baseline: BaselineScore? = nil) throws {
        lastAlertTime = max(lastAlertTime ?? .min, detectedAt)
        counts.alerts += 1
        let values = GroupKey.strings(key)
        var group: [Alert.GroupValue] = []
        for (k, field) in groupBy.enumerated() {
            group.append(Alert.GroupValue(field: field, value: k < values.count ? values[k] : ""))
        }
        let id = AlertID.make(ruleID: meta.id, groupKey: key, windowStart: start, eventHash: eventHash)
        try sink.emit(Alert(id: id, ruleID: meta.id, title: meta.title, level: meta.level, tags: meta.tags,
                        group: group, windowStart: start, windowEnd: end, value: value, firstSeen: firstSeen,
                        lastSeen: lastSeen, detectedAt: detectedAt, samples: samples.map(sources.resolve),
                        baseline: baseline))
    }
}
