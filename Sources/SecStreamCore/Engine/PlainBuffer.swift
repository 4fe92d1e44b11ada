/// A growable array of plain values (no references inside) behind an unsafe
/// pointer, for the engine's per-record state tables. A `[T]` stored in a
/// class pays a uniqueness check (and a bounds check) on every element write,
/// and `states[g].field = x` is one per field; here a write is a plain store.
///
/// Not copy-on-write: copies share the storage. The one owner (a class) calls
/// `deallocate()` in its `deinit`. Indexes are checked in debug builds only.
struct PlainBuffer<Element> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
        base = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
    }

    init(repeating value: Element, count: Int) {
        self.init(capacity: count)
        base.initialize(repeating: value, count: count)
        self.count = count
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    subscript(i: Int) -> Element {
        unsafeAddress {
            assert(i >= 0 && i < count, "PlainBuffer index out of range")
            return UnsafePointer(base + i)
        }
        nonmutating unsafeMutableAddress {
            assert(i >= 0 && i < count, "PlainBuffer index out of range")
            return base + i
        }
    }

    @inline(__always)
    mutating func append(_ e: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: e)
        count += 1
    }

    @inline(__always)
    mutating func removeLast() -> Element {
        assert(count > 0, "PlainBuffer.removeLast on empty buffer")
        count -= 1
        return (base + count).move()
    }

    @inline(__always)
    mutating func popLast() -> Element? {
        count > 0 ? removeLast() : nil
    }

    func deallocate() {
        base.deinitialize(count: count)
        base.deallocate()
    }

    private mutating func grow() {
        let fresh = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        fresh.moveInitialize(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity *= 2
    }
}
