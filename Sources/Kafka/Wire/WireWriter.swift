/// Appends Kafka wire primitives (big-endian integers, zig-zag varints,
/// classic and compact strings/bytes/arrays, tagged fields) to a growable
/// byte buffer. Messages choose the compact forms when their version is
/// flexible (KIP-482), so most helpers take a `flexible` flag.
public struct WireWriter {
    public var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    @inline(__always) public mutating func int8(_ v: Int8) { bytes.append(UInt8(bitPattern: v)) }
    @inline(__always) public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    @inline(__always) public mutating func int16(_ v: Int16) {
        let u = UInt16(bitPattern: v)
        bytes.append(UInt8(truncatingIfNeeded: u >> 8))
        bytes.append(UInt8(truncatingIfNeeded: u))
    }

    @inline(__always) public mutating func int32(_ v: Int32) { uint32(UInt32(bitPattern: v)) }

    @inline(__always) public mutating func uint32(_ u: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: u >> 24))
        bytes.append(UInt8(truncatingIfNeeded: u >> 16))
        bytes.append(UInt8(truncatingIfNeeded: u >> 8))
        bytes.append(UInt8(truncatingIfNeeded: u))
    }

    @inline(__always) public mutating func int64(_ v: Int64) {
        let u = UInt64(bitPattern: v)
        uint32(UInt32(truncatingIfNeeded: u >> 32))
        uint32(UInt32(truncatingIfNeeded: u))
    }

    /// Unsigned LEB128 varint, used for compact lengths and tag numbers.
    @inline(__always) public mutating func uvarint(_ v: UInt32) {
        var u = v
        while u >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: u) | 0x80)
            u >>= 7
        }
        bytes.append(UInt8(u))
    }

    /// Zig-zag signed varint (record fields).
    @inline(__always) public mutating func varint(_ v: Int32) {
        uvarint(UInt32(bitPattern: (v << 1) ^ (v >> 31)))
    }

    /// Zig-zag signed varlong (record timestamp and offset deltas).
    @inline(__always) public mutating func varlong(_ v: Int64) {
        var u = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        while u >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: u) | 0x80)
            u >>= 7
        }
        bytes.append(UInt8(u))
    }

    public mutating func raw<C: Collection>(_ data: C) where C.Element == UInt8 { bytes.append(contentsOf: data) }

    public mutating func uuid(_ id: KafkaUUID) { raw(id.bytes) }

    /// Array length prefix: int32 (-1 = null) or compact uvarint(n+1) (0 = null).
    public mutating func arrayLength(_ n: Int?, flexible: Bool) {
        if flexible { uvarint(n.map { UInt32($0 + 1) } ?? 0) } else { int32(n.map { Int32($0) } ?? -1) }
    }

    public mutating func string(_ s: String, flexible: Bool) {
        var s = s
        s.withUTF8 { buf in
            if flexible { uvarint(UInt32(buf.count + 1)) } else { int16(Int16(buf.count)) }
            bytes.append(contentsOf: buf)
        }
    }

    public mutating func nullableString(_ s: String?, flexible: Bool) {
        guard let s else {
            if flexible { uvarint(0) } else { int16(-1) }
            return
        }
        string(s, flexible: flexible)
    }

    public mutating func bytesField(_ b: [UInt8], flexible: Bool) {
        if flexible { uvarint(UInt32(b.count + 1)) } else { int32(Int32(b.count)) }
        bytes.append(contentsOf: b)
    }

    public mutating func nullableBytes(_ b: [UInt8]?, flexible: Bool) {
        guard let b else {
            if flexible { uvarint(0) } else { int32(-1) }
            return
        }
        bytesField(b, flexible: flexible)
    }

    /// Writes an empty tagged-field section when the version is flexible;
    /// this client never sends tagged fields of its own.
    @inline(__always) public mutating func tags(_ flexible: Bool) { if flexible { uvarint(0) } }

    /// Overwrites four bytes at `at` with a big-endian int32 (length and CRC backfills).
    public mutating func patchInt32(_ v: Int32, at: Int) {
        let u = UInt32(bitPattern: v)
        bytes[at] = UInt8(truncatingIfNeeded: u >> 24)
        bytes[at + 1] = UInt8(truncatingIfNeeded: u >> 16)
        bytes[at + 2] = UInt8(truncatingIfNeeded: u >> 8)
        bytes[at + 3] = UInt8(truncatingIfNeeded: u)
    }

    public mutating func patchUInt32(_ u: UInt32, at: Int) { patchInt32(Int32(bitPattern: u), at: at) }
}
