import CCryptoPAnFlips

/// Prefix-preserving IP pseudonymisation (Crypto-PAn; Xu, Fan, Ammar, Moon,
/// ICNP 2002), bit for bit as the reference implementation (panonymizer.cpp)
/// and PyPI `yacryptopan` compute it: the 32-byte key's first 16 bytes are the
/// AES-128 key, its last 16 bytes encrypted under that key are the pad. Output
/// bit `i` is input bit `i` flipped by the first bit of
/// AES(first `i` input bits ‖ pad bits from `i` on). IPv4 is the same walk over
/// the top 32 bits of the 128-bit block (yacryptopan's `addr << 96`).
///
/// Each flip bit depends only on the prefix before it, so a per-run cache of
/// prefix flips saves most AES calls: addresses in a log repeat and share
/// their /24 (/64). Not thread-safe: one instance per thread (`copy()`).
public final class CryptoPAn {
    private let cipher: AES128Block
    private let key: [UInt8]
    /// The pad as a 128-bit number (high, low).
    private let padHigh: UInt64
    private let padLow: UInt64
    /// Whole addresses already seen, and the flips of the first 24 bits per /24.
    private var v4Results: [UInt32: UInt32] = [:]
    /// /24 -> its 24 flips, in a flat table (a `Dictionary` hashed each /24
    /// through SipHash: a tenth of what a new address cost).
    private let v4Prefix24 = IPv4Table(bits: 16)
    /// /16 -> its 16 flips | 1 << 16 (0: not yet known), indexed directly
    /// (256 KiB): a new /24 in a known /16 takes 16 AES blocks, not 32. Logs'
    /// addresses share their /16 far more than their /24 (the bench events:
    /// 33 k addresses, 28 k /24s, 4 k /16s).
    private let v4Prefix16: UnsafeMutablePointer<UInt32>
    private var v6Results: [IPv6Bits: IPv6Bits] = [:]
    private var v6Prefix64: [UInt64: UInt64] = [:]
    /// The AES-128 key schedule for `secstream_cryptopan_flips` when the CPU
    /// has AES-NI (nil: every block through `cipher`).
    private let schedule: UnsafeMutablePointer<UInt8>?
    /// Bounds the caches: a scan of random addresses must not grow memory without end.
    private let cacheLimit = 1 << 20

    public convenience init(key: [UInt8]) { self.init(key: key, aesni: true) }

    /// `aesni: false` keeps every block on OpenSSL's EVP path (tests hold
    /// the two to the same output).
    init(key: [UInt8], aesni: Bool) {
        precondition(key.count == 32, "Crypto-PAn takes a 32-byte key")
        self.key = key
        cipher = AES128Block(key: Array(key[0..<16]))
        let pad = cipher.encrypt(Array(key[16..<32]))
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(pad[i]) }
        for i in 8..<16 { low = low << 8 | UInt64(pad[i]) }
        padHigh = high
        padLow = low
        v4Prefix16 = .allocate(capacity: 1 << 16)
        v4Prefix16.initialize(repeating: 0, count: 1 << 16)
        if aesni && secstream_cryptopan_aesni_available() != 0 {
            let schedule = UnsafeMutablePointer<UInt8>.allocate(capacity: 176)
            key.withUnsafeBufferPointer { secstream_cryptopan_expand_key($0.baseAddress!, schedule) }
            self.schedule = schedule
        } else {
            schedule = nil
        }
    }

    /// A fresh instance with the same key and its own cipher context and caches.
    public func copy() -> CryptoPAn { CryptoPAn(key: key, aesni: schedule != nil) }

    deinit {
        v4Prefix24.deallocate()
        v4Prefix16.deallocate()
        schedule?.deallocate()
    }

    public func anonymize(v4 address: UInt32) -> UInt32 {
        if let hit = v4Results[address] { return hit }
        let result = anonymizeUncached(v4: address)
        if v4Results.count >= cacheLimit { v4Results.removeAll(keepingCapacity: true) }
        v4Results[address] = result
        return result
    }

    /// `anonymize(v4:)` without the per-address cache (only the /24 flips are
    /// cached), for a caller that keeps its own (the masker's `IPv4Table`).
    func anonymizeUncached(v4 address: UInt32) -> UInt32 {
        let top = address >> 8
        if let flips24 = v4Prefix24.find(top) {
            return address ^ (flips24 << 8 | flipsV4(address, from: 24))
        }
        // A new /24: its flips after those of its /16 (or all 32, for a new
        // /16) in one pass. A full run of the /24 table replaces an entry: a
        // later miss recomputes it.
        let known16 = v4Prefix16[Int(truncatingIfNeeded: address >> 16)]
        if known16 != 0 {
            let flips16 = known16 & 0xFFFF
            let low16 = flipsV4(address, from: 16)
            v4Prefix24.insert(top, flips16 << 8 | low16 >> 8)
            return address ^ (flips16 << 16 | low16)
        }
        let all = flipsV4(address, from: 0)
        v4Prefix16[Int(truncatingIfNeeded: address >> 16)] = all >> 16 | 1 << 16
        v4Prefix24.insert(top, all >> 8)
        return address ^ all
    }

    /// `flips` for an IPv4 address (the top 32 bits of the block, the pad's
    /// low half untouched): positions `from..<32`, as the low bits of the result.
    private func flipsV4(_ address: UInt32, from: Int) -> UInt32 {
        if let schedule {
            return UInt32(truncatingIfNeeded: secstream_cryptopan_flips(schedule, UInt64(address) << 32, padHigh, padLow,
                                                                         Int32(from), 32))
        }
        let count = 32 &- from
        let high = UInt64(address) << 32
        let lowBigEndian = padLow.bigEndian
        var out: UInt32 = 0
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32 * 32) { buffer in
            let blocks = UnsafeMutableRawPointer(buffer.baseAddress!), encrypted = buffer.baseAddress! + count &* 16
            for k in 0..<count {
                let pos = from &+ k
                let keep: UInt64 = pos == 0 ? 0 : ~0 &<< UInt64(64 &- pos)
                let block = blocks + k &* 16
                block.storeBytes(of: ((high & keep) | (padHigh & ~keep)).bigEndian, as: UInt64.self)
                block.storeBytes(of: lowBigEndian, toByteOffset: 8, as: UInt64.self)
            }
            cipher.encrypt(buffer.baseAddress!, encrypted, blocks: count)
            for k in 0..<count { out = out << 1 | UInt32(encrypted[k &* 16] >> 7) }
        }
        return out
    }

    public func anonymize(v6 address: IPv6Bits) -> IPv6Bits {
        if let hit = v6Results[address] { return hit }
        let highFlips: UInt64
        if let cached = v6Prefix64[address.high] {
            highFlips = cached
        } else {
            if let schedule {
                highFlips = secstream_cryptopan_flips(schedule, address.high, padHigh, padLow, 0, 64)
            } else {
                highFlips = flips(high: address.high, low: address.low, from: 0, to: 64).high
            }
            if v6Prefix64.count >= cacheLimit { v6Prefix64.removeAll(keepingCapacity: true) }
            v6Prefix64[address.high] = highFlips
        }
        let lowFlips = flips(high: address.high, low: address.low, from: 64, to: 128).low
        let result = IPv6Bits(high: address.high ^ highFlips, low: address.low ^ lowFlips)
        if v6Results.count >= cacheLimit { v6Results.removeAll(keepingCapacity: true) }
        v6Results[address] = result
        return result
    }

    /// The flip bits for positions `from..<to` of the 128-bit value (high, low),
    /// at their positions (bit 0 = the most significant bit of `high`).
    private func flips(high: UInt64, low: UInt64, from: Int, to: Int) -> (high: UInt64, low: UInt64) {
        var outHigh: UInt64 = 0, outLow: UInt64 = 0
        let count = to - from
        guard count > 0 else { return (0, 0) }
        // Every position's block is known up front (it depends on the input
        // and the pad only), so all of them go through AES in one ECB call:
        // one cipher call per address instead of one per bit (the call's
        // overhead was most of the cost of a new address).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count * 32) { buffer in
            let blocks = buffer.baseAddress!, encrypted = blocks + count * 16
            for k in 0..<count {
                // The first `pos` bits of the address, the pad's bits after them.
                let (keepHigh, keepLow) = Self.prefixMask(from + k)
                let inHigh = (high & keepHigh) | (padHigh & ~keepHigh)
                let inLow = (low & keepLow) | (padLow & ~keepLow)
                // Big-endian, as the reference writes the 128-bit block.
                let block = UnsafeMutableRawPointer(blocks + k * 16)
                block.storeBytes(of: inHigh.bigEndian, as: UInt64.self)
                block.storeBytes(of: inLow.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
            cipher.encrypt(blocks, encrypted, blocks: count)
            for k in 0..<count {
                let pos = from + k
                let bit = UInt64(encrypted[k * 16] >> 7)
                if pos < 64 { outHigh |= bit << UInt64(63 - pos) } else { outLow |= bit << UInt64(127 - pos) }
            }
        }
        return (outHigh, outLow)
    }

    /// Ones in the first `bits` positions of 128.
    @inline(__always)
    private static func prefixMask(_ bits: Int) -> (UInt64, UInt64) {
        if bits == 0 { return (0, 0) }
        if bits < 64 { return (~UInt64(0) << UInt64(64 - bits), 0) }
        if bits == 64 { return (~0, 0) }
        return (~0, ~UInt64(0) << UInt64(128 - bits))
    }
}

/// An IPv6 address as two big-endian halves.
public struct IPv6Bits: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64
    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }
}
