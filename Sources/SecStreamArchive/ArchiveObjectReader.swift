import SecStreamCore
import Codecs
import Foundation
import ObjectStore

/// Fetches and decompresses one archive object. A store failure is a remote
/// (or local I/O) error that ends the run; bytes that do not decompress make
/// the object corrupt: the caller names it, skips it and counts it.
public enum ArchiveObjectReader {
    public enum Outcome {
        case data([UInt8])
        case corrupt(String)
        case failed(RunError)
    }

    /// The object's stored (compressed) bytes, or the run-ending store failure.
    public static func fetch(_ object: ArchiveObject, from store: ObjectStore) -> Result<[UInt8], RunError> {
        do { return .success(try store.get(key: object.key)) } catch {
            return .failure(ArchiveStoreErrors.runError(error, doing: "reading \(store.location)\(object.key)"))
        }
    }

    public static func read(_ object: ArchiveObject, from store: ObjectStore) -> Outcome {
        let compressed: [UInt8]
        switch fetch(object, from: store) {
        case .success(let bytes): compressed = bytes
        case .failure(let error): return .failed(error)
        }
        guard let codec = ArchiveLayout.codec(ofKey: object.key) else { return .corrupt("not an archive object") }
        if codec == .none { return .data(compressed) }
        do {
            return .data(try Codec.decompress(codec, compressed, sizeHint: compressed.count * 6))
        } catch {
            return .corrupt("\(error)")
        }
    }

    /// Calls `body` with each line of `data` (without its newline) and its
    /// 1-based number; a last line without a newline counts too.
    @inline(__always)
    public static func forEachLine(_ data: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Int) throws -> Void) rethrows {
        guard let base = data.baseAddress else { return }
        var start = 0
        var number = 0
        while start < data.count {
            let rest = data.count - start
            let end: Int
            if let nl = memchr(base + start, 0x0a, rest) {
                end = base.distance(to: UnsafeRawPointer(nl))
            } else {
                end = data.count
            }
            number += 1
            try body(UnsafeRawBufferPointer(rebasing: data[start..<end]), number)
            start = end + 1
        }
    }
}
