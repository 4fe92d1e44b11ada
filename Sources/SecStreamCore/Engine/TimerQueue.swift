/// When a (correlation, group) window must be looked at again because time
/// passed: a tumbling bucket or a session ends, or a sliding window's events
/// have all expired and its state can be freed.
struct WindowTimer {
    var closeAt: Int64
    var correlation: Int32
    var group: UInt32
}

/// The pending `WindowTimer`s, in the deterministic order SPEC.md asks for:
/// by close time, then rule index, then group key bytes. Each timer holds a
/// reference on its group id, so the key bytes it is ordered by stay valid.
///
/// Timers are lazy: a window whose close time moves later (a session that
/// grows, a sliding window with new events) keeps its one pending timer, which
/// re-arms itself at the new time when it comes due.
final class TimerQueue {
    /// The group interner of each correlation (filled once the windows exist).
    final class KeyOrder {
        var interners: [ByteInterner] = []
    }

    private let order: KeyOrder
    private var heap: BinaryHeap<WindowTimer>

    init() {
        let order = KeyOrder()
        self.order = order
        heap = BinaryHeap { a, b in
            if a.closeAt != b.closeAt { return a.closeAt < b.closeAt }
            if a.correlation != b.correlation { return a.correlation < b.correlation }
            let interner = order.interners[Int(a.correlation)]
            return interner.compare(a.group, b.group) < 0
        }
    }

    func setInterners(_ interners: [ByteInterner]) { order.interners = interners }

    var next: WindowTimer? { heap.top }
    var count: Int { heap.count }

    func push(_ t: WindowTimer) { heap.push(t) }
    func pop() -> WindowTimer { heap.pop() }
}
