/// A growable array of plain values (no references inside) behind an unsafe
/// pointer, for the engine's per-record state tables. A `[T]` stored in a
/// class pays a uniqueness check (and a bounds check) on every element write,
/// and `states[g].field = x` is one per field; here a write is a plain store.
///
/// A class, held by its owner in a `let`: the owner's property is then never
/// written, and every access to the buffer's own fields is a plain load or
/// store that no other access can overlap, so the optimizer proves exclusivity
/// statically and drops the runtime checks (`swift_beginAccess`, a TLS lookup
/// each) that a `var` of a struct with a mutating `append` keeps on every use.
/// Indexes are checked in debug builds only: the engine computes them from ids
/// it handed out itself, never from input bytes.
final class PlainBuffer<Element> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
        base = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
    }

    convenience init(repeating value: Element, count: Int) {
        self.init(capacity: count)
        base.initialize(repeating: value, count: count)
        self.count = count
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    /// The elements in place (for algorithms over contiguous storage).
    @inline(__always)
    var elements: UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: base, count: count) }

    @inline(__always)
    subscript(i: Int) -> Element {
        unsafeAddress {
            assert(i >= 0 && i < count, "PlainBuffer index out of range")
            return UnsafePointer(base + i)
        }
        unsafeMutableAddress {
            assert(i >= 0 && i < count, "PlainBuffer index out of range")
            return base + i
        }
    }

    @inline(__always)
    func append(_ e: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: e)
        count += 1
    }

    @inline(__always)
    func removeLast() -> Element {
        assert(count > 0, "PlainBuffer.removeLast on empty buffer")
        count -= 1
        return (base + count).move()
    }

    /// Keeps the first `n` elements.
    func truncate(to n: Int) {
        precondition(n >= 0 && n <= count, "PlainBuffer.truncate beyond its count")
        (base + n).deinitialize(count: count - n)
        count = n
    }

    @inline(__always)
    func popLast() -> Element? {
        count > 0 ? removeLast() : nil
    }

    private func grow() {
        let fresh = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        fresh.moveInitialize(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity *= 2
    }
}
