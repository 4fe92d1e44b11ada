import Glibc

/// One line of an NDJSON input: its 1-based number and its bytes without the
/// `\n` (and without a trailing `\r`). An oversized line (longer than the
/// reader's limit) has empty `bytes`: it was skipped, only its number and
/// length are known.
public struct Line {
    public let number: Int
    public let bytes: UnsafeRawBufferPointer
    /// Length in bytes, excluding the line terminator.
    public let length: Int
    public let isOversized: Bool
}

/// A line that exceeded the length limit and was skipped without being buffered.
public struct OversizedLine: Sendable, Equatable {
    public let lineNumber: Int
    public let length: Int
}

/// A block of complete lines read from an input, ready to be handed to a
/// worker thread: it owns its bytes (a pooled buffer, returned to the pool
/// when the chunk is released). Iterate it with `for line in chunk`.
public final class LineChunk: Sequence, @unchecked Sendable {
    /// Position of this chunk in its input (0, 1, 2...): restores input order
    /// after parallel processing.
    public let sequence: Int
    /// Number of the first line (oversized or not) in this chunk, 1-based.
    public let firstLineNumber: Int
    /// Number of lines, oversized ones included.
    public let lineCount: Int
    /// Byte offset of `bytes` in the decompressed input.
    public let byteOffset: Int
    /// Lines skipped for length before the buffered lines; they come first,
    /// numbered from `firstLineNumber`.
    public let skippedLines: [OversizedLine]
    public let maxLineLength: Int
    private let buffer: ChunkBuffer
    private let pool: ChunkBufferPool
    private let byteCount: Int

    init(sequence: Int, firstLineNumber: Int, lineCount: Int, byteOffset: Int, skippedLines: [OversizedLine],
         maxLineLength: Int, buffer: ChunkBuffer, byteCount: Int, pool: ChunkBufferPool) {
        self.sequence = sequence
        self.firstLineNumber = firstLineNumber
        self.lineCount = lineCount
        self.byteOffset = byteOffset
        self.skippedLines = skippedLines
        self.maxLineLength = maxLineLength
        self.buffer = buffer
        self.byteCount = byteCount
        self.pool = pool
    }

    deinit { pool.recycle(buffer) }

    /// The buffered lines, terminators included; valid while the chunk is alive.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buffer.base, count: byteCount)
    }

    public func makeIterator() -> Iterator { Iterator(self) }

    /// Walks the skipped lines first, then splits the buffer at each `\n`.
    /// Holds the chunk, so the bytes it hands out stay valid during the loop.
    public struct Iterator: IteratorProtocol {
        private let chunk: LineChunk
        private var skippedIndex = 0
        private var position: UnsafeRawPointer
        private let end: UnsafeRawPointer
        private var number: Int

        init(_ chunk: LineChunk) {
            self.chunk = chunk
            position = UnsafeRawPointer(chunk.buffer.base)
            end = position + chunk.byteCount
            number = chunk.firstLineNumber
        }

        public mutating func next() -> Line? {
            if skippedIndex < chunk.skippedLines.count {
                let s = chunk.skippedLines[skippedIndex]
                skippedIndex += 1
                number = s.lineNumber + 1
                return Line(number: s.lineNumber, bytes: UnsafeRawBufferPointer(start: nil, count: 0),
                            length: s.length, isOversized: true)
            }
            guard position < end else { return nil }
            let start = position
            var lineEnd: UnsafeRawPointer
            if let nl = memchr(start, 0x0a, end - start) {
                lineEnd = UnsafeRawPointer(nl)
                position = lineEnd + 1
            } else {
                lineEnd = end  // unterminated last line at end of input
                position = end
            }
            if lineEnd > start && lineEnd.load(fromByteOffset: -1, as: UInt8.self) == 0x0d { lineEnd -= 1 }
            let length = lineEnd - start
            let n = number
            number += 1
            if length > chunk.maxLineLength {
                return Line(number: n, bytes: UnsafeRawBufferPointer(start: nil, count: 0),
                            length: length, isOversized: true)
            }
            return Line(number: n, bytes: UnsafeRawBufferPointer(start: start, count: length),
                        length: length, isOversized: false)
        }
    }
}
