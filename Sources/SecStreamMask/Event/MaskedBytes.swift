/// Where a masker writes: `[UInt8]` (the walks), or `MaskedBytes` (the
/// archive's masked lines, spliced at the scanner's slots).
protocol MaskOutput {
    var count: Int { get }
    mutating func write(_ bytes: UnsafeRawBufferPointer)
    /// Writes `"`, the first `count` (at most 16) bytes of `text` (two
    /// little-endian words), `"`.
    mutating func write(quoted text: (UInt64, UInt64), count: Int)
}

extension Array: MaskOutput where Element == UInt8 {
    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }

    @inline(__always)
    mutating func write(quoted text: (UInt64, UInt64), count n: Int) {
        var text = text
        append(UInt8(ascii: "\""))
        Swift.withUnsafeBytes(of: &text) { append(contentsOf: $0[0..<n]) }
        append(UInt8(ascii: "\""))
    }
}

/// A growable run of bytes behind a raw pointer: the masked lines of a scan
/// job. A line is written in a few pieces (the runs between masked values and
/// the values); `[UInt8].append(contentsOf:)` costs a uniqueness check, a
/// capacity check and the generic sequence copy's set-up per piece, which was
/// a fifth of what masking added to an archived event. Here a piece is a
/// capacity compare and a `memcpy`.
///
/// A plain value holding a pointer: its owner frees it (`deallocate`) once,
/// and copies of it must not outlive that.
public struct MaskedBytes: MaskOutput {
    private var base: UnsafeMutableRawPointer?
    private var capacity = 0
    public private(set) var count = 0

    public init() {}

    /// The bytes written so far (valid until the next write or `deallocate`).
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Forgets the bytes, keeps the memory.
    public mutating func removeAll() { count = 0 }

    /// Forgets the last `k` bytes.
    mutating func removeLast(_ k: Int) { count &-= k }

    public mutating func deallocate() {
        base?.deallocate()
        base = nil
        capacity = 0
        count = 0
    }

    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard let from = bytes.baseAddress, bytes.count > 0 else { return }
        if count &+ bytes.count > capacity { grow(to: count &+ bytes.count) }
        (base.unsafelyUnwrapped + count).copyMemory(from: from, byteCount: bytes.count)
        count &+= bytes.count
    }

    public mutating func write(_ bytes: [UInt8]) { bytes.withUnsafeBytes { write($0) } }

    @inline(__always)
    mutating func write(byte: UInt8) {
        if count == capacity { grow(to: count &+ 1) }
        base.unsafelyUnwrapped.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count &+= 1
    }

    /// Two word stores and the quotes: the bytes past the text that the
    /// second word writes lie past `count` (the capacity is there) and are
    /// written over by what comes next.
    @inline(__always)
    mutating func write(quoted text: (UInt64, UInt64), count n: Int) {
        if count &+ 18 > capacity { grow(to: count &+ 18) }
        let p = base.unsafelyUnwrapped + count
        p.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        p.storeBytes(of: text.0, toByteOffset: 1, as: UInt64.self)
        p.storeBytes(of: text.1, toByteOffset: 9, as: UInt64.self)
        p.storeBytes(of: UInt8(ascii: "\""), toByteOffset: 1 &+ n, as: UInt8.self)
        count &+= n &+ 2
    }

    /// Where the next byte goes, with room for `room` bytes (for a writer
    /// in C; `didWrite` then says how many it wrote).
    @inline(__always)
    mutating func tail(_ room: Int) -> UnsafeMutableRawPointer {
        if count &+ room > capacity { grow(to: count &+ room) }
        return base.unsafelyUnwrapped + count
    }

    @inline(__always)
    mutating func didWrite(_ k: Int) { count &+= k }

    private mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2, 4096)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if let base {
            grown.copyMemory(from: base, byteCount: count)
            base.deallocate()
        }
        base = grown
        capacity = newCapacity
    }
}
