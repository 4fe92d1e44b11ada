/// Runs on the worker threads: for an event that matched a detection rule, it
/// appends one `MatchRecord` per target that detection feeds (each correlation
/// input, and the rule's own alert), reading the group-by and value fields
/// straight from the `EventView` bytes.
///
/// The rules' field references are flattened at init into plain integer
/// tables held by raw pointers, so the per-event path touches no class
/// references or arrays (no retain/release traffic, no uniqueness checks).
/// Immutable after init: all workers may share one.
public final class MatchExtractor: @unchecked Sendable {
    let plan: EnginePlan

    /// Per target: its kind of record.
    private enum Shape: UInt8 { case detectionAlert, grouped }
    private struct TargetLayout {
        var shape: Shape
        var need: EnginePlan.ValueNeed
        /// Range in `fieldSpans` of the group-by fields.
        var groupStart: Int32
        var groupCount: Int32
        /// Index in `fieldSpans` of the value field, or -1.
        var valueField: Int32
    }

    private let layouts: UnsafeMutableBufferPointer<TargetLayout>
    /// Per field reference: its range in `candidates` (a field-mapped Sigma field
    /// may stand for several event fields; the first present one counts).
    private let fieldSpans: UnsafeMutableBufferPointer<(start: Int32, count: Int32)>
    private let candidates: UnsafeMutableBufferPointer<Int32>
    /// Per detection: its range in `detectionTargets` (`plan.targetsByDetection` flattened).
    private let targetSpans: UnsafeMutableBufferPointer<(start: Int32, count: Int32)>
    private let detectionTargets: UnsafeMutableBufferPointer<Int32>

    /// A copy of `values` (plain integers and enums: nothing to deinitialize);
    /// at least one element is allocated so the buffer has an address to free.
    private static func buffer<T>(_ values: [T]) -> UnsafeMutableBufferPointer<T> {
        let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, values.count))
        _ = b.initialize(from: values)
        return b
    }

    public init(rules: RuleSet) {
        plan = EnginePlan(rules: rules)
        var layouts: [TargetLayout] = []
        var spans: [(start: Int32, count: Int32)] = []
        var cands: [Int32] = []
        func addRef(_ ref: FieldRef) -> Int32 {
            spans.append((Int32(cands.count), Int32(ref.candidates.count)))
            cands.append(contentsOf: ref.candidates.map { Int32($0) })
            return Int32(spans.count - 1)
        }
        for target in plan.targets {
            switch target {
            case .detectionAlert:
                layouts.append(TargetLayout(shape: .detectionAlert, need: .none, groupStart: 0, groupCount: 0, valueField: -1))
            case .correlationInput(let c, let i):
                let input = rules.correlations[c].inputs[i]
                let start = Int32(spans.count)
                for ref in input.groupFields { _ = addRef(ref) }
                let need = plan.valueNeeds[c]
                let value = need != .none ? input.valueField.map(addRef) ?? -1 : -1
                layouts.append(TargetLayout(shape: .grouped, need: need, groupStart: start,
                                            groupCount: Int32(input.groupFields.count), valueField: value))
            }
        }
        self.layouts = Self.buffer(layouts)
        self.fieldSpans = Self.buffer(spans)
        self.candidates = Self.buffer(cands)
        var targetSpans: [(start: Int32, count: Int32)] = []
        var targets: [Int32] = []
        for t in plan.targetsByDetection {
            targetSpans.append((Int32(targets.count), Int32(t.count)))
            targets += t
        }
        self.targetSpans = Self.buffer(targetSpans)
        self.detectionTargets = Self.buffer(targets)
    }

    deinit {
        layouts.deallocate()
        fieldSpans.deallocate()
        candidates.deallocate()
        targetSpans.deallocate()
        detectionTargets.deallocate()
    }

    /// Appends the records for `event` having matched `detection`.
    ///
    /// An event whose group-by field is missing or null takes no part in that
    /// correlation (as Sigma backends treat `by` on null); likewise an event
    /// without a usable value for value_count / value_sum / value_avg.
    public func extract(detection: Int, event: EventView, time: Int64, location: EventLocation,
                        line: Int, into batch: inout MatchBuffers) {
        let span = targetSpans[detection]
        let spans = UnsafeBufferPointer(fieldSpans)
        let cands = UnsafeBufferPointer(candidates)
        for k in Int(span.start)..<Int(span.start &+ span.count) {
            let t = detectionTargets[k]
            let layout = layouts[Int(t)]
            if layout.shape == .detectionAlert {
                let at = Int32(batch.bytes.count)
                batch.records.append(MatchRecord(
                    line: Int32(line), target: t, keyStart: at, keyLength: 0, valueStart: at, valueLength: 0,
                    time: time, number: 1, eventHash: stableHash64(event.line), location: location))
            } else {
                appendGrouped(t, layout, spans, cands, event, time, location, line, &batch)
            }
        }
    }

    @inline(__always)
    private func slot(_ ref: Int32, _ spans: UnsafeBufferPointer<(start: Int32, count: Int32)>,
                      _ cands: UnsafeBufferPointer<Int32>, _ event: EventView) -> FieldSlot {
        let span = spans[Int(ref)]
        return event.firstPresent(UnsafeBufferPointer(rebasing: cands[Int(span.start)..<Int(span.start + span.count)]))
    }

    private func appendGrouped(_ target: Int32, _ layout: TargetLayout, _ spans: UnsafeBufferPointer<(start: Int32, count: Int32)>,
                               _ cands: UnsafeBufferPointer<Int32>, _ event: EventView, _ time: Int64,
                               _ location: EventLocation, _ line: Int, _ batch: inout MatchBuffers) {
        let groupRefs = layout.groupStart..<(layout.groupStart + layout.groupCount)
        for ref in groupRefs {
            let kind = slot(ref, spans, cands, event).kind
            if kind == .missing || kind == .null { return }
        }
        var number: Double = 0
        var valueSlot = FieldSlot.missing
        if layout.need != .none {
            guard layout.valueField >= 0 else { return }
            valueSlot = slot(layout.valueField, spans, cands, event)
            if valueSlot.kind == .missing || valueSlot.kind == .null { return }
            if layout.need == .number {
                guard let v = JSONValueBytes.number(raw(valueSlot, event), kind: valueSlot.kind) else { return }
                number = v
            }
        }
        let keyStart = batch.bytes.count
        for ref in groupRefs {
            let s = slot(ref, spans, cands, event)
            guard s.kind == .escapedString else {
                // As written (`JSONValueBytes.append`): the length is known up front.
                GroupKey.appendSegment(raw(s, event), to: &batch.bytes)
                continue
            }
            let lengthAt = batch.bytes.count
            GroupKey.appendSegmentLength(0, to: &batch.bytes)
            JSONValueBytes.append(raw(s, event), kind: s.kind, to: &batch.bytes)
            GroupKey.patchSegmentLength(batch.bytes.count - lengthAt - 4, at: lengthAt, in: &batch.bytes)
        }
        let valueStart = batch.bytes.count
        if layout.need == .bytes { JSONValueBytes.append(raw(valueSlot, event), kind: valueSlot.kind, to: &batch.bytes) }
        batch.records.append(MatchRecord(
            line: Int32(line), target: target, keyStart: Int32(keyStart), keyLength: Int32(valueStart - keyStart),
            valueStart: Int32(valueStart), valueLength: Int32(batch.bytes.count - valueStart),
            time: time, number: number, eventHash: 0, location: location))
    }

    @inline(__always)
    private func raw(_ s: FieldSlot, _ event: EventView) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: event.line[Int(s.start)..<Int(s.end)])
    }
}
