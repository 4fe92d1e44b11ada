#if canImport(Glibc)
import Glibc

/// Memory mapped from the kernel on its own, for buffers of megabytes that
/// are filled front to back: fresh zero pages, given back to the kernel as
/// soon as they are unmapped (the malloc heap keeps an outgrown copy
/// resident). With `hugePages` the mapping is 2 MiB-aligned and asks for
/// transparent huge pages where the system leaves them to `madvise`: one
/// fault and one page clearing per 2 MiB instead of one per 4 KiB page. Only
/// the touched part becomes resident, rounded up to 2 MiB. Used by the decode
/// buffers (`DecodeMemory`) and the engine's growing tables (`TableMemory`).
public enum PageMemory {
    private static let hugePage = 2 << 20

    /// `byteCount` bytes, page-aligned (2 MiB-aligned with `hugePages`).
    public static func map(_ byteCount: Int, hugePages: Bool) -> UnsafeMutableRawPointer {
        // Over-map by 2 MiB for huge pages so an aligned start fits; the slack is unmapped.
        let mapped = hugePages ? byteCount + hugePage : byteCount
        guard let raw = mmap(nil, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != UnsafeMutableRawPointer(bitPattern: -1)
        else { fatalError("out of memory: cannot map \(byteCount) bytes") }
        guard hugePages else { return raw }
        let address = Int(bitPattern: raw)
        let aligned = (address + hugePage - 1) & ~(hugePage - 1)
        if aligned > address { munmap(raw, aligned - address) }
        let tail = aligned + byteCount
        if address + mapped > tail { munmap(UnsafeMutableRawPointer(bitPattern: tail), address + mapped - tail) }
        let p = UnsafeMutableRawPointer(bitPattern: aligned)!
        _ = madvise(p, byteCount, 14 /* MADV_HUGEPAGE */)
        return p
    }

    /// Unmaps what `map` returned for the same `byteCount`.
    public static func unmap(_ p: UnsafeMutableRawPointer, _ byteCount: Int) {
        munmap(p, byteCount)
    }
}
#endif
