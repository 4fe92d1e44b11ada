/// Runs on the worker threads: for an event that matched a detection rule, it
/// appends one `MatchRecord` per target that detection feeds (each correlation
/// input, and the rule's own alert), reading the group-by and value fields
/// straight from the `EventView` bytes.
///
/// Immutable after init, so all workers may share one extractor.
public final class MatchExtractor: @unchecked Sendable {
    let plan: EnginePlan

    public init(rules: RuleSet) {
        plan = EnginePlan(rules: rules)
    }

    /// Appends the records for `event` having matched `detection`.
    ///
    /// An event whose group-by field is missing or null takes no part in that
    /// correlation (as Sigma backends treat `by` on null); likewise an event
    /// without a usable value for value_count / value_sum / value_avg.
    public func extract(detection: Int, event: EventView, time: Int64, location: EventLocation,
                        line: Int, into batch: MatchBatch) {
        for t in plan.targetsByDetection[detection] {
            switch plan.targets[Int(t)] {
            case .detectionAlert:
                let keyStart = Int32(batch.bytes.count)
                batch.records.append(MatchRecord(
                    line: Int32(line), target: t, keyStart: keyStart, keyLength: 0, valueStart: keyStart,
                    valueLength: 0, time: time, number: 1, eventHash: stableHash64(event.line), location: location))
            case .correlationInput(let c, let i):
                appendCorrelationRecord(target: t, correlation: c, input: i, event: event, time: time,
                                        location: location, line: line, batch: batch)
            }
        }
    }

    private func appendCorrelationRecord(target: Int32, correlation c: Int, input i: Int, event: EventView,
                                         time: Int64, location: EventLocation, line: Int, batch: MatchBatch) {
        let input = plan.rules.correlations[c].inputs[i]
        for ref in input.groupFields {
            let kind = ref.slot(in: event).kind
            if kind == .missing || kind == .null { return }
        }
        var number: Double = 0
        var valueSlot = FieldSlot.missing
        let need = plan.valueNeeds[c]
        if need != .none {
            guard let ref = input.valueField else { return }
            valueSlot = ref.slot(in: event)
            if valueSlot.kind == .missing || valueSlot.kind == .null { return }
            if need == .number {
                guard let v = JSONValueBytes.number(raw(valueSlot, event), kind: valueSlot.kind) else { return }
                number = v
            }
        }
        let mark = batch.bytes.count
        for ref in input.groupFields {
            let slot = ref.slot(in: event)
            let lengthAt = batch.bytes.count
            GroupKey.appendSegmentLength(0, to: &batch.bytes)
            JSONValueBytes.append(raw(slot, event), kind: slot.kind, to: &batch.bytes)
            GroupKey.patchSegmentLength(batch.bytes.count - lengthAt - 4, at: lengthAt, in: &batch.bytes)
        }
        let valueStart = batch.bytes.count
        if need == .bytes { JSONValueBytes.append(raw(valueSlot, event), kind: valueSlot.kind, to: &batch.bytes) }
        batch.records.append(MatchRecord(
            line: Int32(line), target: target, keyStart: Int32(mark), keyLength: Int32(valueStart - mark),
            valueStart: Int32(valueStart), valueLength: Int32(batch.bytes.count - valueStart),
            time: time, number: number, eventHash: 0, location: location))
    }

    @inline(__always)
    private func raw(_ s: FieldSlot, _ event: EventView) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: event.line[Int(s.start)..<Int(s.end)])
    }
}
