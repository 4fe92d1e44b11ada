/// The single-threaded, event-time stateful stage (SPEC.md "Engine semantics").
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
public final class WindowEngine {
    public let options: EngineOptions
    private let plan: EnginePlan
    private let sources: SourceTable
    private let sink: AlertSink
    private let windows: [CorrelationWindows]
    private let timers: TimerQueue
    private var reorder: BinaryHeap<PendingMatch>
    private var clock: WatermarkTracker
    private var arrival: UInt64 = 0
    private var chainKey: [UInt8] = []
    private var counts = EngineCounters()

    /// A match record waiting for the watermark, its bytes already interned.
    private struct PendingMatch {
        var time: Int64
        var arrival: UInt64
        var target: Int32
        var group: UInt32
        var value: UInt32
        var number: Double
        var eventHash: UInt64
        var location: EventLocation
    }

    public init(rules: RuleSet, options: EngineOptions = EngineOptions(), sources: SourceTable, sink: AlertSink) {
        self.options = options
        self.plan = EnginePlan(rules: rules)
        self.sources = sources
        self.sink = sink
        let timers = TimerQueue()
        self.timers = timers
        self.windows = rules.correlations.enumerated().map { CorrelationWindows(index: $0.offset, rule: $0.element, timers: timers) }
        timers.setInterners(windows.map(\.groups))
        reorder = BinaryHeap { a, b in a.time != b.time ? a.time < b.time : a.arrival < b.arrival }
        clock = WatermarkTracker(latenessMs: options.latenessMs, idleTimeoutMs: options.idleTimeoutMs)
    }

    /// Current watermark (epoch ms; `Int64.min` before the first event).
    public var watermark: Int64 { clock.watermark }

    public var counters: EngineCounters {
        var c = counts
        c.openGroups = windows.reduce(0) { $0 + $1.activeGroups }
        c.pendingMatches = reorder.count
        return c
    }

    /// The largest `detected_at` of the alerts computed so far (emitted or
    /// suppressed). Alerts come out in non-decreasing `detected_at` order, so
    /// after a restart `suppressAlertsAtOrBefore: lastAlertTime` withholds
    /// exactly the alerts already written.
    public private(set) var lastAlertTime: Int64?

    /// The event time of the oldest event the engine still depends on: held in
    /// the reorder buffer, or the oldest event behind an open window (through
    /// chains too): no open state depends on anything older, so a Kafka commit
    /// must keep every record at or after it. (Replaying from there also
    /// re-feeds events that were already spent by a firing after it; an exact
    /// resume needs more than this bound.) Nil when nothing is retained.
    /// Scans the open windows: call it at commit time, not per event.
    public var oldestRetainedEventTime: Int64? {
        var oldest = reorder.items.lazy.map(\.time).min()
        for w in windows {
            if let t = w.oldestRetainedTime() { oldest = min(oldest ?? t, t) }
        }
        return oldest
    }

    /// Declares an input (e.g. an assigned Kafka partition) before its first
    /// event, so it holds the watermark back until it delivers or goes idle.
    public func registerInput(_ input: Int) { clock.register(input) }

    /// Marks an input alive without an event: a Kafka partition with records
    /// still to deliver (behind its high watermark) is slow, not idle, and
    /// must keep holding the watermark back.
    public func touchInput(_ input: Int) { clock.touch(input) }

    /// Admits a valid event that matched no detection rule (it still moves the
    /// watermark). Returns false when the event is late: the caller dead-letters it.
    @discardableResult
    public func admit(time: Int64, input: Int = 0) -> Bool {
        let onTime = accept(time, input)
        release(upTo: clock.watermark)
        return onTime
    }

    /// Admits the event of line `line` of the chunk whose matches are in `batch`
    /// and takes that line's match records (records are in line order; call
    /// this for the chunk's lines in order). A late event's records are dropped
    /// and false is returned: the caller dead-letters the event.
    @discardableResult
    public func admit(time: Int64, input: Int = 0, line: Int, of batch: MatchBatch) -> Bool {
        let onTime = accept(time, input)
        let records = batch.records
        var r = batch.readIndex
        while r < records.count && Int(records[r].line) < line { r += 1 }
        while r < records.count && Int(records[r].line) == line {
            if onTime { enqueue(records[r], batch) }
            r += 1
        }
        batch.readIndex = r
        release(upTo: clock.watermark)
        return onTime
    }

    /// Moves the wall clock that decides when an input is idle, and releases
    /// what the resulting watermark allows.
    public func advance(wallClock: Int64) {
        clock.setWallClock(wallClock)
        release(upTo: clock.watermark)
    }

    /// End of bounded input: releases every held event and closes every window.
    public func finish() {
        release(upTo: .max)
    }

    // MARK: Arrival

    private func accept(_ t: Int64, _ input: Int) -> Bool {
        if clock.isLate(t) {
            clock.touch(input)
            counts.lateEvents += 1
            return false
        }
        clock.observe(t, input: input)
        counts.eventsAdmitted += 1
        return true
    }

    private func enqueue(_ r: MatchRecord, _ batch: MatchBatch) {
        var group: UInt32 = 0
        var value = CorrelationWindows.noValue
        if case .correlationInput(let c, _) = plan.targets[Int(r.target)] {
            let w = windows[c]
            let bytesValue = plan.valueNeeds[c] == .bytes
            batch.withBytes(of: r) { key, val in
                group = w.groups.acquire(key)
                if bytesValue { value = w.values.acquire(val) }
            }
        }
        reorder.push(PendingMatch(time: r.time, arrival: arrival, target: r.target, group: group, value: value,
                                  number: r.number, eventHash: r.eventHash, location: r.location))
        arrival += 1
        counts.matches += 1
    }

    // MARK: Event-time processing

    /// Processes, in event-time order, every held match at or before `watermark`
    /// and every window closing at or before it; closings first on equal times.
    private func release(upTo watermark: Int64) {
        while true {
            let nextMatch = reorder.top?.time
            if let timer = timers.next, timer.closeAt <= watermark, nextMatch.map({ timer.closeAt <= $0 }) ?? true {
                let t = timers.pop()
                if let f = windows[Int(t.correlation)].timerFired(t) { handle(f) }
            } else if let m = nextMatch, m <= watermark {
                process(reorder.pop())
            } else {
                return
            }
        }
    }

    private func process(_ m: PendingMatch) {
        switch plan.targets[Int(m.target)] {
        case .detectionAlert(let d):
            let meta = plan.rules.detections[d].meta
            emitAlert(meta: meta, groupBy: [], key: UnsafeRawBufferPointer(start: nil, count: 0), start: m.time,
                      end: m.time, value: 1, firstSeen: m.time, lastSeen: m.time, detectedAt: m.time,
                      samples: [m.location], eventHash: m.eventHash)
        case .correlationInput(let c, let i):
            let w = windows[c]
            let r = w.add(group: m.group, time: m.time, origin: m.time, input: i, value: m.value, number: m.number, location: m.location)
            w.groups.release(m.group)
            if m.value != CorrelationWindows.noValue { w.values.release(m.value) }
            if let f = r.closed { handle(f) }
            if let f = r.fired { handle(f) }
        }
    }

    /// A correlation fired: write its alert, then feed it as an event (at the
    /// firing time, with its group values) to each correlation referencing it.
    private func handle(_ f: Firing) {
        let w = windows[f.correlation]
        let rule = w.rule
        if rule.emitsAlerts {
            emitAlert(meta: rule.meta, groupBy: rule.groupBy, key: w.groups.bytes(f.group), start: f.windowStart,
                      end: f.windowEnd, value: f.value, firstSeen: f.firstSeen, lastSeen: f.lastSeen,
                      detectedAt: f.detectedAt, samples: f.samples, eventHash: nil)
        }
        for (c2, i2) in plan.chainTargets[f.correlation] {
            // A firing carries no field value, so it takes no part in value_* correlations.
            guard plan.valueNeeds[c2] == .none else { continue }
            let target = windows[c2]
            guard GroupKey.remap(w.groups.bytes(f.group), indexes: target.rule.inputs[i2].groupIndexes, into: &chainKey)
            else { continue }
            let g2 = chainKey.withUnsafeBytes { target.groups.acquire($0) }
            let r = target.add(group: g2, time: f.detectedAt, origin: f.origin, input: i2, value: CorrelationWindows.noValue,
                               number: f.value, location: f.lastLocation)
            target.groups.release(g2)
            if let x = r.closed { handle(x) }
            if let x = r.fired { handle(x) }
        }
        w.groups.release(f.group)
    }

    private func emitAlert(meta: RuleMeta, groupBy: [String], key: UnsafeRawBufferPointer, start: Int64, end: Int64,
                           value: Double, firstSeen: Int64, lastSeen: Int64, detectedAt: Int64,
                           samples: [EventLocation], eventHash: UInt64?) {
        lastAlertTime = max(lastAlertTime ?? .min, detectedAt)
        if let s = options.suppressAlertsAtOrBefore, detectedAt <= s {
            counts.alertsSuppressed += 1
            return
        }
        counts.alerts += 1
        let values = GroupKey.strings(key)
        var group: [Alert.GroupValue] = []
        for (k, field) in groupBy.enumerated() {
            group.append(Alert.GroupValue(field: field, value: k < values.count ? values[k] : ""))
        }
        let id = AlertID.make(ruleID: meta.id, groupKey: key, windowStart: start, eventHash: eventHash)
        sink.emit(Alert(id: id, ruleID: meta.id, title: meta.title, level: meta.level, tags: meta.tags,
                        group: group, windowStart: start, windowEnd: end, value: value, firstSeen: firstSeen,
                        lastSeen: lastSeen, detectedAt: detectedAt, samples: samples.map(sources.resolve)))
    }
}
