/// A growable byte buffer written through a raw pointer: the generator's hot
/// path appends a few hundred bytes per event, and bounds-checked `[UInt8]`
/// appends cost more than the JSON itself. Callers `reserve` an upper bound
/// for a line before writing it, then append without checks.
public final class OutputBuffer {
    public private(set) var base: UnsafeMutablePointer<UInt8>
    public private(set) var count = 0
    public private(set) var capacity: Int

    public init(capacity: Int = 1 << 20) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for at least `n` more bytes.
    @inline(__always)
    public func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        p.update(from: base, count: count)
        base.deallocate()
        base = p
        capacity = newCapacity
    }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    public func removeAll() { count = 0 }

    /// Drops everything from `offset` on (used to cut a line short).
    public func truncate(to offset: Int) { count = min(count, offset) }

    @inline(__always)
    public func byte(_ b: UInt8) {
        base[count] = b
        count += 1
    }

    @inline(__always)
    public func append(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        (base + count).update(from: s.utf8Start, count: n)
        count += n
    }

    @inline(__always)
    public func append(_ p: UnsafeRawBufferPointer) {
        guard let src = p.baseAddress, p.count > 0 else { return }
        UnsafeMutableRawPointer(base + count).copyMemory(from: src, byteCount: p.count)
        count += p.count
    }

    /// Lets `body` write straight into the reserved space at the end and
    /// advances by the byte count it returns.
    @inline(__always)
    public func write(_ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        let n = body(base + count)
        count += n
    }

    /// Decimal digits of a non-negative or negative integer.
    @inline(__always)
    public func decimal(_ value: Int64) {
        var v = value
        if v < 0 {
            byte(UInt8(ascii: "-"))
            v = -v
        }
        if v < 10 {
            byte(UInt8(truncatingIfNeeded: v) &+ 48)
            return
        }
        var digits = 0
        var t = v
        while t > 0 { digits += 1; t /= 10 }
        var i = count + digits - 1
        while v > 0 {
            base[i] = UInt8(truncatingIfNeeded: v % 10) &+ 48
            v /= 10
            i -= 1
        }
        count += digits
    }

    /// `v` as exactly `width` digits, zero-padded (dates, times).
    @inline(__always)
    public func zeroPadded(_ v: Int, width: Int) {
        var x = v
        var i = count + width - 1
        while i >= count {
            base[i] = UInt8(truncatingIfNeeded: x % 10) &+ 48
            x /= 10
            i -= 1
        }
        count += width
    }

    /// Dotted-quad IPv4 address.
    @inline(__always)
    public func ipv4(_ ip: UInt32) {
        decimal(Int64(ip >> 24))
        byte(UInt8(ascii: "."))
        decimal(Int64((ip >> 16) & 0xFF))
        byte(UInt8(ascii: "."))
        decimal(Int64((ip >> 8) & 0xFF))
        byte(UInt8(ascii: "."))
        decimal(Int64(ip & 0xFF))
    }

    /// Lower-case hex of the low `digits` nibbles of `v`.
    @inline(__always)
    public func hex(_ v: UInt64, digits: Int) {
        var i = digits - 1
        while i >= 0 {
            let nibble = UInt8(truncatingIfNeeded: (v >> (UInt64(i) * 4)) & 0xF)
            byte(nibble < 10 ? nibble &+ 48 : nibble &+ 87)
            i -= 1
        }
    }
}
