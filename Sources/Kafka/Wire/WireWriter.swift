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
    @inline(__always) public mutating func uvarint(_ v: UInt32) { unsignedVarint(v) }

    /// Zig-zag signed varint (record fields).
    @inline(__always) public mutating func varint(_ v: Int32) {
        unsignedVarint(UInt32(bitPattern: (v << 1) ^ (v >> 31)))
    }

    /// Zig-zag signed varlong (record timestamp and offset deltas).
    @inline(__always) public mutating func varlong(_ v: Int64) {
        unsignedVarint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    @inline(__always) private mutating func unsignedVarint<T: FixedWidthInteger & UnsignedInteger>(_ v: T) {
        var u = v
        while u >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: u) | 0x80)
            u >>= 7
        }
        bytes.append(UInt8(u))
    }

    public mutating func raw<C: Collection>(_ data: C) where C.Element == UInt8 { bytes.append(contentsOf: data) }

    public mutating func uuid(_ id: KafkaUUID) { raw(id.bytes) }

    /// Array length prefix: int32 (-1 = null) or compact uvarint(n+1) (0 = null).
    public mutating func arrayLength(_ n: Int?, flexible: Bool) { lengthPrefix(n, flexible: flexible, classicInt16: false) }

    public mutating func string(_ s: String, flexible: Bool) {
        var s = s
        s.withUTF8 { buf in
            lengthPrefix(buf.count, flexible: flexible, classicInt16: true)
            bytes.append(contentsOf: buf)
        }
    }

    public mutating func nullableString(_ s: String?, flexible: Bool) {
        guard let s else { return lengthPrefix(nil, flexible: flexible, classicInt16: true) }
        string(s, flexible: flexible)
    }

    /// Bytes are prefixed like arrays (int32 or compact).
    public mutating func bytesField(_ b: [UInt8], flexible: Bool) {
        arrayLength(b.count, flexible: flexible)
        bytes.append(contentsOf: b)
    }

    public mutating func nullableBytes(_ b: [UInt8]?, flexible: Bool) {
        guard let b else { return arrayLength(nil, flexible: flexible) }
        bytesField(b, flexible: flexible)
    }

    /// The length before a string (classic int16), bytes or array (classic
    /// int32) field: classic n, -1 for null; compact uvarint(n+1), 0 for null.
    @inline(__always)
    private mutating func lengthPrefix(_ n: Int?, flexible: Bool, classicInt16: Bool) {
        if flexible {
            uvarint(n.map { UInt32($0 + 1) } ?? 0)
        } else if classicInt16 {
            int16(n.map { Int16($0) } ?? -1)
        } else {
            int32(n.map { Int32($0) } ?? -1)
        }
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
