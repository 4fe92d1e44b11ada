/// Reads Kafka wire primitives from borrowed bytes. Like franz-go's kbin, the
/// reader never throws per field: the first problem (short buffer, negative
/// length, bad varint) is recorded in `failure`, every later read returns a
/// zero value, and the decoder checks once at the end with `finish()`. That
/// keeps message decoders linear and makes truncated input harmless.
public struct WireReader {
    public let base: UnsafeRawBufferPointer
    public private(set) var pos: Int
    public let end: Int
    public private(set) var failure: String?

    public init(_ base: UnsafeRawBufferPointer, from: Int = 0, to: Int? = nil) {
        self.base = base
        self.pos = from
        self.end = to ?? base.count
    }

    public var remaining: Int { end - pos }
    public var ok: Bool { failure == nil }

    public mutating func fail(_ why: String) {
        if failure == nil { failure = "\(why) at byte \(pos)" }
        pos = end
    }

    @inline(__always) mutating func take(_ n: Int) -> Int? {
        guard n >= 0, n <= end - pos else {
            fail("truncated: need \(n) bytes, have \(end - pos)")
            return nil
        }
        let p = pos
        pos += n
        return p
    }

    @inline(__always) public mutating func uint8() -> UInt8 {
        guard let p = take(1) else { return 0 }
        return base[p]
    }

    @inline(__always) public mutating func int8() -> Int8 { Int8(bitPattern: uint8()) }
    @inline(__always) public mutating func bool() -> Bool { uint8() != 0 }

    @inline(__always) public mutating func int16() -> Int16 {
        guard let p = take(2) else { return 0 }
        return Int16(bitPattern: UInt16(base[p]) << 8 | UInt16(base[p + 1]))
    }

    @inline(__always) public mutating func uint32() -> UInt32 {
        guard let p = take(4) else { return 0 }
        return UInt32(base[p]) << 24 | UInt32(base[p + 1]) << 16 | UInt32(base[p + 2]) << 8 | UInt32(base[p + 3])
    }

    @inline(__always) public mutating func int32() -> Int32 { Int32(bitPattern: uint32()) }

    @inline(__always) public mutating func int64() -> Int64 {
        let hi = UInt64(uint32())
        let lo = UInt64(uint32())
        return Int64(bitPattern: hi << 32 | lo)
    }

    public mutating func uvarint() -> UInt32 { unsignedVarint(UInt32.self, "varint") }

    public mutating func uvarlong() -> UInt64 { unsignedVarint(UInt64.self, "varlong") }

    /// Unsigned LEB128 into `T`: a last byte with bits past `T`'s width is an
    /// overflow (32 bits: at most 0x0F after four 7-bit groups; 64: 0x01 after nine).
    @inline(__always)
    private mutating func unsignedVarint<T: FixedWidthInteger & UnsignedInteger>(_: T.Type, _ what: StaticString) -> T {
        let lastShift = T.bitWidth / 7 * 7
        let lastMax = UInt8(1) << (T.bitWidth - lastShift) - 1
        var result: T = 0
        var shift = 0
        while pos < end {
            let b = base[pos]
            pos += 1
            if shift == lastShift && b > lastMax { failVarint(what, overflowing: T.bitWidth); return 0 }
            result |= T(b & 0x7F) &<< shift
            if b < 0x80 { return result }
            shift += 7
        }
        failVarint(what, overflowing: nil)
        return 0
    }

    @inline(never)
    private mutating func failVarint(_ what: StaticString, overflowing bits: Int?) {
        fail(bits.map { "\(what) overflows \($0) bits" } ?? "truncated \(what)")
    }

    @inline(__always) public mutating func varint() -> Int32 {
        let u = uvarint()
        return Int32(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    @inline(__always) public mutating func varlong() -> Int64 {
        let u = uvarlong()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    public mutating func uuid() -> KafkaUUID {
        guard let p = take(16) else { return .zero }
        return KafkaUUID(bytes: Array(base[p..<p + 16]))
    }

    /// Array length; nil for a null array. Lengths larger than the bytes left
    /// are rejected early so a corrupt count cannot drive a huge loop.
    public mutating func arrayLength(flexible: Bool) -> Int? {
        let n: Int
        if flexible {
            guard let c = compactLength() else { return nil }
            n = c
        } else {
            let v = int32()
            if v < 0 { return v == -1 ? nil : { fail("negative array length \(v)"); return nil }() }
            n = Int(v)
        }
        if n > remaining { fail("array length \(n) exceeds remaining \(remaining) bytes"); return nil }
        return n
    }

    /// A compact (flexible) length: uvarint n+1, 0 for null.
    @inline(__always)
    private mutating func compactLength() -> Int? {
        let u = uvarint()
        return u == 0 ? nil : Int(u) - 1
    }

    /// A non-null array length (null decodes as empty).
    public mutating func count(flexible: Bool) -> Int { arrayLength(flexible: flexible) ?? 0 }

    /// A string is int16-prefixed in classic versions, compact (uvarint n+1) in flexible ones.
    mutating func stringRange(flexible: Bool) -> Range<Int>? { prefixedRange(flexible: flexible, int32Length: false) }

    public mutating func nullableString(flexible: Bool) -> String? {
        guard let r = stringRange(flexible: flexible) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: base[r]), as: UTF8.self)
    }

    public mutating func string(flexible: Bool) -> String { nullableString(flexible: flexible) ?? "" }

    /// Byte field as a range of `base`; nil when null. Classic bytes are int32-prefixed.
    public mutating func bytesRange(flexible: Bool) -> Range<Int>? { prefixedRange(flexible: flexible, int32Length: true) }

    /// A length-prefixed field (string or bytes) as a range of `base`; nil when
    /// null (negative classic length, compact 0) or truncated.
    @inline(__always)
    private mutating func prefixedRange(flexible: Bool, int32Length: Bool) -> Range<Int>? {
        let n: Int
        if flexible {
            guard let c = compactLength() else { return nil }
            n = c
        } else {
            n = int32Length ? Int(int32()) : Int(int16())
            if n < 0 { return nil }
        }
        guard let p = take(n) else { return nil }
        return p..<p + n
    }

    public mutating func nullableBytes(flexible: Bool) -> [UInt8]? {
        bytesRange(flexible: flexible).map { Array(base[$0]) }
    }

    public mutating func bytes(flexible: Bool) -> [UInt8] { nullableBytes(flexible: flexible) ?? [] }

    public mutating func skip(_ n: Int) { _ = take(n) }

    /// Skips a tagged-field section (KIP-482): this client reads no tagged fields.
    public mutating func skipTags(_ flexible: Bool) {
        guard flexible else { return }
        let n = uvarint()
        if Int(n) > remaining { fail("tag count \(n) exceeds remaining bytes"); return }
        for _ in 0..<n {
            _ = uvarint()
            let size = uvarint()
            skip(Int(size))
        }
    }

    /// Throws the first recorded failure, naming what was being decoded.
    public func finish(_ what: @autoclosure () -> String) throws {
        if let failure { throw KafkaError.decode("\(what()): \(failure)") }
    }
}
