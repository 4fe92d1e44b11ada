#if canImport(Glibc)
import Glibc
#endif

/// Memory for the masker's lookup tables (`InlineValueTable`, `IPv4Table`,
/// Crypto-PAn's /24 flips): zero-filled, 2 MiB-aligned and marked for
/// transparent huge pages. Each masked value is a random access into
/// megabytes of table; with 4 KiB pages most of those missed the TLB as well
/// as the caches (profiled: a third of planning a line's splice sat on the
/// prefetch of its slots). Where the system gives no huge pages the memory
/// is plain pages, as before.
enum HugePageTable {
    static let hugePage = 2 << 20

    /// `byteCount` zeroed bytes (rounded up to whole huge pages).
    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = rounded(byteCount)
        #if canImport(Glibc)
        // Map one huge page more, keep the aligned part.
        guard let raw = mmap(nil, size + hugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != UnsafeMutableRawPointer(bitPattern: -1)
        else { fatalError("out of memory: cannot map \(size) bytes") }
        let address = UInt(bitPattern: raw)
        let aligned = (address + UInt(hugePage - 1)) & ~UInt(hugePage - 1)
        let head = Int(aligned - address)
        if head > 0 { munmap(raw, head) }
        let tail = hugePage - head
        if tail > 0 { munmap(UnsafeMutableRawPointer(bitPattern: aligned + UInt(size))!, tail) }
        let p = UnsafeMutableRawPointer(bitPattern: aligned)!
        _ = madvise(p, size, 14 /* MADV_HUGEPAGE */)
        return p
        #else
        let p = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: hugePage)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        return p
        #endif
    }

    /// Frees what `allocate` returned for the same `byteCount`.
    static func deallocate(_ p: UnsafeMutableRawPointer, byteCount: Int) {
        #if canImport(Glibc)
        munmap(p, rounded(byteCount))
        #else
        p.deallocate()
        #endif
    }

    private static func rounded(_ n: Int) -> Int { (max(n, 1) + hugePage - 1) / hugePage * hugePage }
}
