import Foundation

/// Owns the memory of one compiled detection. The matcher's tree, patterns and
/// value lists are plain values in buffers allocated here, so evaluating a rule
/// copies no reference-counted storage: at millions of events per second,
/// retain/release of arrays and enum boxes, not the comparisons, was the cost.
final class MatcherArena: @unchecked Sendable {
    private var blocks: [UnsafeMutableRawPointer] = []
    /// Objects referenced unretained from the buffers (compiled regexes).
    private var objects: [AnyObject] = []

    /// Copies `values` (trivial types only) into memory that lives as long as the arena.
    func store<T>(_ values: [T]) -> UnsafeBufferPointer<T> {
        precondition(_isPOD(T.self), "the arena holds only trivial values")
        guard !values.isEmpty else { return UnsafeBufferPointer(start: nil, count: 0) }
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: values.count)
        _ = buffer.initialize(from: values)
        blocks.append(UnsafeMutableRawPointer(buffer.baseAddress!))
        return UnsafeBufferPointer(buffer)
    }

    /// Keeps `object` alive for the arena's lifetime and returns an unretained handle.
    func keep<T: AnyObject>(_ object: T) -> Unmanaged<T> {
        objects.append(object)
        return Unmanaged.passUnretained(object)
    }

    deinit {
        for b in blocks { b.deallocate() }
    }
}
