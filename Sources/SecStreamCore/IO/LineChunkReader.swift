import Codecs
import Glibc

/// Splits an NDJSON input (file, stdin, any compression) into `LineChunk`s of
/// complete lines, ~`chunkSize` bytes each, for parallel scanning. The partial
/// last line of a read is carried into the next chunk; a line longer than
/// `maxLineLength` is not an event: it streams by (never buffered whole) into
/// the reader's `spool`, when it keeps one, so a dead letter can hold it whole.
///
/// A chunk is returned as soon as a read yields complete lines, so a live
/// pipe is not held back until a full chunk has arrived.
public final class LineChunkReader {
    public let name: String
    public let chunkSize: Int
    public let maxLineLength: Int
    public let pool: ChunkBufferPool
    /// Where oversized lines' bytes go; nil: only their number and length are kept.
    public let spool: OversizedLineSpool?

    private let source: ByteSourceReader
    private var nextLineNumber = 1
    private var nextSequence = 0
    private var bytesConsumed = 0
    private var finished = false
    /// The partial line at the end of the last read (at most `maxLineLength` bytes).
    private let carry: UnsafeMutableRawPointer
    private var carryCount = 0
    /// Set while skipping an oversized line.
    private var skipping: SkippedLine?

    /// An oversized line streaming by: its number, the bytes seen so far and
    /// the last of them (to leave a `\r` before the `\n` out of its length),
    /// and where its bytes start in the spool.
    private struct SkippedLine {
        var lineNumber: Int
        var length: Int
        var lastByte: UInt8
        var spoolOffset: Int64

        init(lineNumber: Int, spool: OversizedLineSpool?) {
            self.lineNumber = lineNumber; length = 0; lastByte = 0
            spoolOffset = spool?.end ?? -1
        }

        mutating func add(_ bytes: UnsafeRawPointer, _ count: Int, _ spool: OversizedLineSpool?) throws {
            guard count > 0 else { return }
            try spool?.append(bytes, count)
            length += count
            lastByte = bytes.load(fromByteOffset: count - 1, as: UInt8.self)
        }

        var result: OversizedLine {
            OversizedLine(lineNumber: lineNumber, length: lastByte == 0x0d ? length - 1 : length, spoolOffset: spoolOffset)
        }
    }

    public convenience init(path: String, chunkSize: Int = 2 << 20, maxLineLength: Int = 1 << 20,
                            spool: OversizedLineSpool? = nil) throws {
        self.init(source: try ByteSourceReader(path: path), chunkSize: chunkSize, maxLineLength: maxLineLength, spool: spool)
    }

    public init(source: ByteSourceReader, chunkSize: Int = 2 << 20, maxLineLength: Int = 1 << 20,
                spool: OversizedLineSpool? = nil) {
        self.source = source
        self.spool = spool
        self.name = source.name
        self.chunkSize = max(chunkSize, 64)
        self.maxLineLength = max(maxLineLength, 1)
        // Room for a carried partial line plus a full chunk's worth of new data
        // (+2 for a `\r\n` after a line of exactly the maximum length).
        pool = ChunkBufferPool(bufferCapacity: self.chunkSize + self.maxLineLength + 2)
        carry = .allocate(byteCount: self.maxLineLength + 2, alignment: 16)
    }

    deinit { carry.deallocate() }

    /// The next chunk, or nil at the end of the input. Throws (naming the
    /// input) on a read error or a corrupt compressed stream.
    public func next() throws -> LineChunk? {
        guard case .chunk(let chunk) = try read(following: false) else { return nil }
        return chunk
    }

    /// What `nextAvailable()` found.
    public enum Available {
        case chunk(LineChunk)
        /// No complete line right now: a file that may still grow is at the
        /// end of its data so far (a partial last line is kept).
        case notYet
    }

    /// For a file that may still grow (`process --follow`): like `next()`,
    /// but the end of the data so far is not the end of the input. A partial
    /// last line (a writer mid-line) and an oversized line being skipped are
    /// kept for a later call; `next()` afterwards reads what is left and ends
    /// the input as usual, the partial line becoming the last line.
    public func nextAvailable() throws -> Available {
        try read(following: true)
    }

    /// The bytes read so far are the whole input (a followed file was
    /// truncated): `next()` returns the partial last line, then the end.
    public func endAtBytesRead() {
        source.endAtBytesRead()
    }

    private func read(following: Bool) throws -> Available {
        guard !finished else { return .notYet }
        let buffer = pool.take()
        let base = buffer.base
        let capacity = buffer.capacity
        let firstLine = nextLineNumber
        var skipped: [OversizedLine] = []
        var filled = carryCount
        if carryCount > 0 { base.copyMemory(from: carry, byteCount: carryCount) }
        carryCount = 0

        while true {
            var n = try source.read(into: UnsafeMutableRawBufferPointer(start: base + filled, count: capacity - filled))
            if n == 0 && following {
                // The end of the data so far. What is buffered holds no `\n`
                // (a read with one returns a chunk), so it is one partial line
                // within the limit: keep it until its newline arrives.
                source.resumeAfterEnd()
                if filled > 0 { carry.copyMemory(from: base, byteCount: filled) }
                carryCount = filled
                guard !skipped.isEmpty else {
                    pool.recycle(buffer)
                    return .notYet
                }
                // Oversized lines ended in this call: hand them over now.
                return .chunk(makeChunk(buffer, firstLine, skipped, 0))
            }
            if n == 0 {
                finished = true
                if let s = skipping {
                    skipped.append(s.result)
                    nextLineNumber += 1
                    skipping = nil
                }
                guard filled > 0 || !skipped.isEmpty else {
                    pool.recycle(buffer)
                    return .notYet
                }
                // Everything left is complete lines; the last may lack its `\n`.
                return .chunk(makeChunk(buffer, firstLine, skipped, filled))
            }
            if var s = skipping {
                // Discard the oversized line's bytes up to its `\n`.
                guard let nl = memchr(base + filled, 0x0a, n) else {
                    try s.add(base + filled, n, spool)
                    skipping = s
                    bytesConsumed += n
                    continue
                }
                let used = UnsafeMutableRawPointer(nl) - (base + filled) + 1
                try s.add(base + filled, used - 1, spool)
                skipped.append(s.result)
                nextLineNumber += 1
                skipping = nil
                bytesConsumed += used
                n -= used
                if n == 0 { continue }
                (base + filled).copyMemory(from: base + filled + used, byteCount: n)
            }
            let newStart = filled
            filled += n
            guard let lastNL = lastNewline(base + newStart, count: filled - newStart) else {
                if filled > maxLineLength + 1 {
                    // No line end within the limit: skip this line as it streams by.
                    var s = SkippedLine(lineNumber: nextLineNumber, spool: spool)
                    try s.add(base, filled, spool)
                    skipping = s
                    bytesConsumed += filled
                    filled = 0
                }
                continue
            }
            let chunkBytes = lastNL - base + 1
            let chunk = makeChunk(buffer, firstLine, skipped, chunkBytes)
            let tail = filled - chunkBytes
            if tail > maxLineLength + 1 {
                var s = SkippedLine(lineNumber: nextLineNumber, spool: spool)
                try s.add(lastNL + 1, tail, spool)
                skipping = s
                bytesConsumed += tail
            } else if tail > 0 {
                carry.copyMemory(from: lastNL + 1, byteCount: tail)
                carryCount = tail
            }
            return .chunk(chunk)
        }
    }

    private func makeChunk(_ buffer: ChunkBuffer, _ firstLine: Int, _ skipped: [OversizedLine],
                           _ byteCount: Int) -> LineChunk {
        // Skipped lines were counted as they ended; split the buffered ones now,
        // the one pass over the bytes that finds every line.
        buffer.splitLines(byteCount: byteCount)
        nextLineNumber += buffer.lineEndCount
        let lineCount = buffer.lineEndCount + skipped.count
        let chunk = LineChunk(sequence: nextSequence, firstLineNumber: firstLine, lineCount: lineCount,
                              byteOffset: bytesConsumed, skippedLines: skipped, maxLineLength: maxLineLength,
                              buffer: buffer, byteCount: byteCount, pool: pool, spool: spool)
        bytesConsumed += byteCount
        nextSequence += 1
        return chunk
    }

    /// The last `\n` in `count` bytes from `start` (lines are short, so it is
    /// usually found within a few hundred bytes of the end).
    private func lastNewline(_ start: UnsafeMutableRawPointer, count: Int) -> UnsafeMutableRawPointer? {
        var i = count - 1
        while i >= 0 {
            if start.load(fromByteOffset: i, as: UInt8.self) == 0x0a { return start + i }
            i -= 1
        }
        return nil
    }
}

/// Calls `body` with the offset of each line end in `bytes`: every `\n`, then
/// the end of `bytes` when the last line is unterminated. `memchr` is
/// vectorised by the C library; lines are a few hundred bytes, so the call
/// overhead is small next to the bytes it covers.
@inline(__always)
func findLineEnds(_ bytes: UnsafeRawBufferPointer, _ body: (Int32) -> Void) {
    guard let base = bytes.baseAddress else { return }
    let end = base + bytes.count
    var p = base
    while p < end {
        guard let nl = memchr(p, 0x0a, end - p) else {
            body(Int32(bytes.count))
            return
        }
        let at = UnsafeRawPointer(nl)
        body(Int32(at - base))
        p = at + 1
    }
}
