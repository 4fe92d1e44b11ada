import Codecs
import SecStreamCore

/// NDJSON files (plain, gzip, lz4, zstd — by magic bytes) or stdin, read one
/// after the other in argument order, in large chunks.
final class FileLineSource: LineSource {
    private let inputs: [String]
    private let sources: SourceTable
    private var next = 0
    private var reader: LineChunkReader?
    private var source: Int32 = 0
    private var name = ""

    init(inputs: [String], sources: SourceTable) {
        self.inputs = inputs
        self.sources = sources
    }

    func fill(_ job: ScanJob) throws -> SourceYield {
        while true {
            if let reader {
                let chunk: LineChunk?
                do { chunk = try reader.next() } catch { throw RunError(.input, Self.naming(name, error)) }
                if let chunk {
                    job.reset(chunk: chunk, source: source)
                    return .lines(nil)
                }
                self.reader = nil
            }
            guard next < inputs.count else { return .end }
            let input = inputs[next]
            next += 1
            name = input == "-" ? "stdin" : input
            source = sources.file(name)
            do { reader = try LineChunkReader(source: ByteSourceReader(path: input), spool: OversizedLineSpool()) } catch {
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
