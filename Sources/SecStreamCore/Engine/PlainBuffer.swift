import Codecs

/// Memory for the engine's tables that grow by doubling with the number of
/// open windows (per-group state, window entries, the interner's tables and
/// arena, the timer heap). From 1 MiB on, a table is mapped from the kernel
/// and unmapped as soon as it is outgrown or freed. From the malloc heap, an
/// outgrown copy stays resident: glibc raises its mmap threshold to the size
/// of each freed mapping (up to 32 MiB), so the next copies come from the heap,
/// whose freed middle it does not give back. On a flood of 2,000,000 keys
/// that was ~60 MB of peak RSS (30 bytes per window) that no window used.
enum TableMemory {
    static let mapThreshold = 1 << 20
    /// Tables from this size on ask for transparent huge pages.
    static let hugePageThreshold = 8 << 20

    static func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        #if canImport(Glibc)
        // Page-aligned (any alignment a table needs) and zero-filled on first
        // touch; huge pages for the big ones (a flood of 2,000,000 keys
        // faulted ~100k 4 KiB pages, a fifth of its CPU time in the kernel).
        if byteCount >= mapThreshold { return PageMemory.map(byteCount, hugePages: byteCount >= hugePageThreshold) }
        #endif
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: alignment)
    }

    /// Frees what `allocate` returned for the same `byteCount`.
    static func deallocate(_ p: UnsafeMutableRawPointer, byteCount: Int) {
        #if canImport(Glibc)
        if byteCount >= mapThreshold { return PageMemory.unmap(p, byteCount) }
        #endif
        p.deallocate()
    }
}

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
        base = PlainBuffer.allocate(self.capacity)
    }

    private static func byteCount(_ capacity: Int) -> Int { capacity * MemoryLayout<Element>.stride }

    private static func allocate(_ capacity: Int) -> UnsafeMutablePointer<Element> {
        TableMemory.allocate(byteCount: byteCount(capacity), alignment: MemoryLayout<Element>.alignment)
            .bindMemory(to: Element.self, capacity: capacity)
    }

    private static func deallocate(_ p: UnsafeMutablePointer<Element>, _ capacity: Int) {
        TableMemory.deallocate(UnsafeMutableRawPointer(p), byteCount: byteCount(capacity))
    }

    convenience init(repeating value: Element, count: Int) {
        self.init(capacity: count)
        base.initialize(repeating: value, count: count)
        self.count = count
    }

    deinit {
        base.deinitialize(count: count)
        PlainBuffer.deallocate(base, capacity)
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
        let fresh = PlainBuffer.allocate(capacity * 2)
        fresh.moveInitialize(from: base, count: count)
        PlainBuffer.deallocate(base, capacity)
        base = fresh
        capacity *= 2
    }
}
