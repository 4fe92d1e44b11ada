import CMaskSplice

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
    /// Base, capacity and count (`secstream_bytes_t`, so the splice in C
    /// writes here and grows it itself: no room computed and no count
    /// handed back around each call).
    var c = secstream_bytes_t()

    public init() {}

    public var count: Int { c.count }

    /// The bytes written so far (valid until the next write or `deallocate`).
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: c.base, count: c.count) }

    /// Forgets the bytes, keeps the memory.
    public mutating func removeAll() { c.count = 0 }

    /// Forgets the last `k` bytes.
    mutating func removeLast(_ k: Int) { c.count &-= k }

    public mutating func deallocate() { secstream_bytes_free(&c) }

    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard let from = bytes.baseAddress, bytes.count > 0 else { return }
        if c.count &+ bytes.count > c.capacity { secstream_bytes_grow(&c, bytes.count) }
        (c.base.unsafelyUnwrapped + c.count).update(from: from.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        c.count &+= bytes.count
    }

    public mutating func write(_ bytes: [UInt8]) { bytes.withUnsafeBytes { write($0) } }

    @inline(__always)
    mutating func write(byte: UInt8) {
        if c.count == c.capacity { secstream_bytes_grow(&c, 1) }
        c.base.unsafelyUnwrapped[c.count] = byte
        c.count &+= 1
    }

    /// Two word stores and the quotes: the bytes past the text that the
    /// second word writes lie past `count` (the capacity is there) and are
    /// written over by what comes next.
    @inline(__always)
    mutating func write(quoted text: (UInt64, UInt64), count n: Int) {
        if c.count &+ 18 > c.capacity { secstream_bytes_grow(&c, 18) }
        let p = UnsafeMutableRawPointer(c.base.unsafelyUnwrapped + c.count)
        p.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        p.storeBytes(of: text.0, toByteOffset: 1, as: UInt64.self)
        p.storeBytes(of: text.1, toByteOffset: 9, as: UInt64.self)
        p.storeBytes(of: UInt8(ascii: "\""), toByteOffset: 1 &+ n, as: UInt8.self)
        c.count &+= n &+ 2
    }
}
