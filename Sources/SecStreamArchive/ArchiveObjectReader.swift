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

    /// An encrypted object (`ArchiveEnvelope`) decrypted with `keyring`; nil
    /// and why when it cannot be: no keyring, a key the keyring lacks, or
    /// bytes that do not authenticate (tampered, truncated, wrongly keyed).
    /// A plain object passes through, so an archive may hold both.
    public static func unseal(_ stored: [UInt8], keyring: ArchiveKeyring?) -> Result<[UInt8], ArchiveEnvelope.Failure> {
        guard ArchiveEnvelope.isEnvelope(stored) else { return .success(stored) }
        guard let keyring else { return .failure(.init(description: "encrypted object: pass --keyring KEYRING")) }
        do { return .success(try ArchiveEnvelope.open(stored, keyring: keyring)) } catch let f as ArchiveEnvelope.Failure {
            return .failure(f)
        } catch {
            return .failure(.init(description: "\(error)"))
        }
    }

    public static func read(_ object: ArchiveObject, from store: ObjectStore, keyring: ArchiveKeyring? = nil) -> Outcome {
        let compressed: [UInt8]
        switch fetch(object, from: store) {
        case .success(let bytes):
            switch unseal(bytes, keyring: keyring) {
            case .success(let plain): compressed = plain
            case .failure(let why): return .corrupt(why.description)
            }
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
