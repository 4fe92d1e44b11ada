/// The part the gzip stream decoders (ISA-L's `IgzipDecoder`, zlib's
/// `GzipDecoder`) share: calling the library until the output is full or the
/// input is used up, across member boundaries (`cat a.gz b.gz` is one
/// stream), and keeping `isAtFrameEnd` — so only the call itself differs.
protocol GzipMemberLoop: StreamDecoder {
    var isAtFrameEnd: Bool { get set }

    /// One call of the library on `input` into `output` (each at most
    /// `UInt32.max` bytes): the bytes it used of each, and whether a member
    /// ended there (its trailer checked, the decoder ready for the next).
    /// Throws on corrupt data.
    func inflateStep(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws
        -> (usedIn: Int, usedOut: Int, memberEnded: Bool)
}

extension GzipMemberLoop {
    func decodeMembers(_ input: UnsafeRawBufferPointer,
                       into output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int) {
        var consumed = 0
        var produced = 0
        while produced < output.count {
            let inLeft = min(input.count - consumed, Int(UInt32.max))
            if inLeft == 0 && isAtFrameEnd { break }
            let outLeft = min(output.count - produced, Int(UInt32.max))
            let step = try inflateStep(UnsafeRawBufferPointer(rebasing: input[consumed..<(consumed + inLeft)]),
                                       into: UnsafeMutableRawBufferPointer(rebasing: output[produced..<(produced + outLeft)]))
            consumed += step.usedIn
            produced += step.usedOut
            if step.usedIn > 0 { isAtFrameEnd = false }
            if step.memberEnded {
                isAtFrameEnd = true
                continue
            }
            if step.usedIn == 0 && step.usedOut == 0 { break }
        }
        return (consumed, produced)
    }
}
