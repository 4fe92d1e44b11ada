/// The unescaped bytes of an event's escaped string values (Windows paths:
/// `C:\\Windows\\...`), decoded the first time a field's value is asked for
/// and kept for the rest of the event. The prefilter scans a field and then
/// every rule testing it reads it again: each used to unescape it anew.
///
/// One per worker (a scan job's buffers), reset per event. A plain value over
/// pointers: the hot loop touches no class property (no runtime exclusivity
/// check) and no reference count.
public struct UnescapeCache {
    private struct State {
        var epoch: UInt32
        var used: Int
        var scratch: UnsafeMutableRawBufferPointer
    }

    private let state: UnsafeMutablePointer<State>
    /// Per field: the event (epoch) its range was decoded for, and the range in `scratch`.
    private let epochs: UnsafeMutableBufferPointer<UInt32>
    private let ranges: UnsafeMutableBufferPointer<(start: Int32, end: Int32)>

    public init(fieldCount: Int) {
        state = .allocate(capacity: 1)
        state.initialize(to: State(epoch: 1, used: 0, scratch: .allocate(byteCount: 4096, alignment: 1)))
        epochs = .allocate(capacity: max(fieldCount, 1))
        epochs.initialize(repeating: 0)
        ranges = .allocate(capacity: max(fieldCount, 1))
        ranges.initialize(repeating: (0, 0))
    }

    /// Frees the buffers; the owner calls it once, when no view uses them.
    public func deallocate() {
        state.pointee.scratch.deallocate()
        state.deallocate()
        epochs.deallocate()
        ranges.deallocate()
    }

    /// Starts an event of `lineLength` bytes: its unescaped values fit in as
    /// many (an escape never grows), so the scratch never moves during the event.
    @inline(__always)
    public func reset(lineLength: Int) {
        var s = state.pointee
        if s.epoch == .max {
            epochs.update(repeating: 0)
            s.epoch = 0
        }
        s.epoch &+= 1
        s.used = 0
        if s.scratch.count < lineLength {
            s.scratch.deallocate()
            s.scratch = .allocate(byteCount: max(lineLength, 2 * s.scratch.count), alignment: 1)
        }
        state.pointee = s
    }

    /// The unescaped bytes of `field`'s escaped string value `raw`.
    @inline(__always)
    func value(field: Int, raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let s = state.pointee
        if epochs[field] == s.epoch {
            let r = ranges[field]
            return UnsafeRawBufferPointer(rebasing: s.scratch[Int(r.start)..<Int(r.end)])
        }
        let out = UnsafeMutableRawBufferPointer(rebasing: s.scratch[s.used..<(s.used + raw.count)])
        let n = JSONStringUnescaper.unescape(raw, into: out)
        epochs[field] = s.epoch
        ranges[field] = (Int32(s.used), Int32(s.used + n))
        state.pointee.used = s.used + n
        return UnsafeRawBufferPointer(rebasing: out[0..<n])
    }
}
