/// A masked value recurring in free text, for `replaceKnown`: where its raw
/// bytes are in the line and its masked bytes in the output (`owned` < 0), or
/// the index of a pair held as arrays (when its escaped form differs).
struct KnownRef {
    var rawStart: Int
    var rawCount: Int
    var maskedStart: Int
    var maskedCount: Int
    var owned: Int
}

/// A line's pairs for `replaceKnown`, read where they lie: a pair's raw
/// bytes in the line, its masked bytes in `masked` (which starts at
/// `maskedOffset` in the refs' terms), or, for a pair held as arrays, in
/// `owned`'s bytes (`ownedBytes`, those opened). Valid while the buffers are.
struct KnownPairs {
    let refs: UnsafePointer<KnownRef>?
    let count: Int
    let line: UnsafeRawBufferPointer
    let masked: UnsafeRawBufferPointer
    let maskedOffset: Int
    let owned: KnownPairBytes
    let ownedBytes: UnsafeRawBufferPointer

    @inline(__always)
    func raw(_ k: Int) -> UnsafeRawBufferPointer {
        let ref = refs.unsafelyUnwrapped[k]
        return ref.owned >= 0 ? owned.raw(ref.owned, in: ownedBytes)
            : UnsafeRawBufferPointer(rebasing: line[ref.rawStart..<(ref.rawStart &+ ref.rawCount)])
    }

    @inline(__always)
    func masked(_ k: Int) -> UnsafeRawBufferPointer {
        let ref = refs.unsafelyUnwrapped[k]
        let start = ref.maskedStart &- maskedOffset
        return ref.owned >= 0 ? owned.masked(ref.owned, in: ownedBytes)
            : UnsafeRawBufferPointer(rebasing: masked[start..<(start &+ ref.maskedCount)])
    }
}

/// (raw, masked) pairs held as arrays, side by side in one buffer, so
/// `replaceKnown` reads them in place like the pairs that lie in the line.
struct KnownPairBytes {
    private(set) var bytes: [UInt8] = []
    private var spans: [(raw: Range<Int>, masked: Range<Int>)] = []

    /// No pairs.
    init() {}

    init(_ pairs: [(raw: [UInt8], masked: [UInt8])]) {
        for (raw, masked) in pairs {
            let r = bytes.count..<(bytes.count + raw.count)
            bytes += raw
            spans.append((r, bytes.count..<(bytes.count + masked.count)))
            bytes += masked
        }
    }

    /// Pair `k`'s raw bytes, `all` being `bytes` opened.
    func raw(_ k: Int, in all: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: all[spans[k].raw]) }

    /// Pair `k`'s masked bytes, `all` being `bytes` opened.
    func masked(_ k: Int, in all: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: all[spans[k].masked]) }
}
