/// Where a masker writes: `[UInt8]` (the walks), or `MaskedBytes` (the
/// archive's masked lines, spliced at the scanner's slots).
protocol MaskOutput {
    var count: Int { get }
    mutating func write(_ bytes: UnsafeRawBufferPointer)
}

extension Array: MaskOutput where Element == UInt8 {
    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
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
