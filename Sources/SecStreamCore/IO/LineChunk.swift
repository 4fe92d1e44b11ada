import Glibc

/// One line of an NDJSON input: its 1-based number and its bytes without the
/// `\n` (and without a trailing `\r`). An oversized line (longer than the
/// reader's limit) is not an event: its bytes are in the chunk when they fit
/// the buffer, otherwise in the reader's spool at `spoolOffset` (empty `bytes`).
public struct Line {
    public let number: Int
    public let bytes: UnsafeRawBufferPointer
    /// Length in bytes, excluding the line terminator.
    public let length: Int
    public let isOversized: Bool
    /// An oversized line's bytes: at this offset in `LineChunk.spool` (>= 0),
    /// in `bytes` (-1, also every other line), or not kept (`Line.notKept`).
    public var spoolOffset: Int64 = -1
    public static let notKept: Int64 = -2
}

/// A line that exceeded the length limit and streamed by without being
/// buffered; its bytes are in the reader's spool when it keeps one.
public struct OversizedLine: Sendable, Equatable {
    public let lineNumber: Int
    public let length: Int
    /// Offset of its bytes in the spool; -1 when the reader keeps none.
    public var spoolOffset: Int64 = -1

    public init(lineNumber: Int, length: Int, spoolOffset: Int64 = -1) {
        self.lineNumber = lineNumber; self.length = length; self.spoolOffset = spoolOffset
    }
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
    /// The reader's spool of oversized lines (`Line.spoolOffset`), if it keeps one.
    public let spool: OversizedLineSpool?
    private let buffer: ChunkBuffer
    private let pool: ChunkBufferPool
    private let byteCount: Int

    init(sequence: Int, firstLineNumber: Int, lineCount: Int, byteOffset: Int, skippedLines: [OversizedLine],
         maxLineLength: Int, buffer: ChunkBuffer, byteCount: Int, pool: ChunkBufferPool, spool: OversizedLineSpool? = nil) {
        self.spool = spool
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

    /// Walks the skipped lines first, then the buffered lines at the ends the
    /// reader recorded. Holds the chunk, so the bytes it hands out stay valid
    /// during the loop.
    public struct Iterator: IteratorProtocol {
        private let chunk: LineChunk
        /// The buffer's bytes and line ends: they stay put while `chunk` is held.
        private let base: UnsafeRawPointer
        private let ends: UnsafePointer<UInt32>
        private let endCount: Int
        private let skippedCount: Int
        private let maxLineLength: Int
        private var skippedIndex = 0
        private var lineIndex = 0
        private var start = 0
        private var number: Int

        init(_ chunk: LineChunk) {
            self.chunk = chunk
            base = UnsafeRawPointer(chunk.buffer.base)
            ends = UnsafePointer(chunk.buffer.lineEnds)
            endCount = chunk.buffer.lineEndCount
            skippedCount = chunk.skippedLines.count
            maxLineLength = chunk.maxLineLength
            number = chunk.firstLineNumber
        }

        public mutating func next() -> Line? {
            if skippedIndex < skippedCount {
                let s = chunk.skippedLines[skippedIndex]
                skippedIndex += 1
                number = s.lineNumber + 1
                return Line(number: s.lineNumber, bytes: UnsafeRawBufferPointer(start: nil, count: 0),
                            length: s.length, isOversized: true, spoolOffset: s.spoolOffset >= 0 ? s.spoolOffset : Line.notKept)
            }
            guard lineIndex < endCount else { return nil }
            let lineStart = start
            let (lineEnd, next) = ChunkBuffer.decodeLineEnd(ends[lineIndex])
            lineIndex += 1
            start = next
            let length = lineEnd - lineStart
            let n = number
            number += 1
            if length > maxLineLength {
                // Over the limit but within the buffer: the bytes are here.
                return Line(number: n, bytes: UnsafeRawBufferPointer(start: base + lineStart, count: length),
                            length: length, isOversized: true)
            }
            return Line(number: n, bytes: UnsafeRawBufferPointer(start: base + lineStart, count: length),
                        length: length, isOversized: false)
        }
    }
}
