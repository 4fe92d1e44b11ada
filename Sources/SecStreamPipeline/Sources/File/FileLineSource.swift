import Codecs
import Foundation
import SecStreamCore

/// NDJSON files (plain, gzip, lz4, zstd — by magic bytes) or stdin, read one
/// after the other in argument order, in large chunks.
final class FileLineSource: LineSource {
    private let inputs: [String]
    private let sources: SourceTable
    private var next = 0
    private var reader: LineChunkReader?
    private var bytes: ByteSourceReader?
    private var source: Int32 = 0
    private var name = ""
    /// Bytes of the inputs before the current one, as stored (compressed or not).
    private var bytesBefore: Int64 = 0
    private let progress: ProgressLine

    /// `progress` is told the bytes read after every chunk; its total is the
    /// inputs' sizes, unknown when one of them is stdin or not a regular file.
    init(inputs: [String], sources: SourceTable, progress: ProgressLine = .off) {
        self.inputs = inputs
        self.sources = sources
        self.progress = progress
        if progress.enabled { progress.setTotal(ProgressLine.fileSizes(inputs)) }
    }

    func fill(_ job: ScanJob) throws -> SourceYield {
        while true {
            if let reader {
                let chunk: LineChunk?
                do { chunk = try reader.next() } catch { throw RunError(.input, Self.naming(name, error)) }
                if let chunk {
                    job.reset(chunk: chunk, source: source)
                    if progress.enabled { progress.report(done: bytesBefore + (bytes?.sourceBytesRead ?? 0)) }
                    return .lines(nil)
                }
                bytesBefore += bytes?.sourceBytesRead ?? 0
                self.reader = nil
                self.bytes = nil
            }
            guard next < inputs.count else { return .end }
            let input = inputs[next]
            next += 1
            name = input == "-" ? "stdin" : input
            source = sources.file(name)
            do {
                let bytes = try ByteSourceReader(path: input)
                self.bytes = bytes
                reader = try LineChunkReader(source: bytes, spool: OversizedLineSpool())
            } catch {
                throw RunError(.input, Self.naming(name, error))
            }
        }
    }

    /// The error's text led by the input's name, once (codec and I/O errors name it already).
    private static func naming(_ name: String, _ error: Error) -> String {
        let text = "\(error)"
        return text.hasPrefix(name + ":") ? text : "\(name): \(text)"
    }
}
