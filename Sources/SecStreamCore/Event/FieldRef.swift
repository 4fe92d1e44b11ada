/// A rule's view of one field: after the field map, a Sigma field may stand for
/// several event fields; the first one present in the event is its value.
public struct FieldRef: Sendable, Hashable {
    public var candidates: [FieldID]

    public init(_ candidates: [FieldID]) { self.candidates = candidates }

    /// The slot of the first candidate present in `event`, or `.missing`.
    @inline(__always)
    public func slot(in event: EventView) -> FieldSlot { event.firstPresent(candidates) }
}
