import Codecs
import Dispatch
import Foundation
import ObjectStore

/// Compresses and uploads archive objects off the engine thread, a bounded
/// number at a time. The first failure is kept and rethrown by `check` or
/// `drain`, so the engine learns of it after its current job.
final class ArchiveUploader: @unchecked Sendable {
    private let store: ObjectStore
    private let options: ArchiveWriterOptions
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private let queue = DispatchQueue(label: "secstream.archive.upload", attributes: .concurrent)
    private let lock = NSLock()
    private var failure: Error?
    private(set) var uploadedObjects = 0
    private(set) var uploadedBytes = 0

    init(store: ObjectStore, options: ArchiveWriterOptions) {
        self.store = store
        self.options = options
        slots = DispatchSemaphore(value: max(1, options.uploadParallelism))
    }

    /// Queues `body` (NDJSON, uncompressed) for `key`; blocks while the
    /// maximum number of uploads is in flight.
    func upload(key: String, body: [UInt8]) {
        slots.wait()
        group.enter()
        queue.async { [self] in
            defer { slots.signal(); group.leave() }
            do {
                let data = try Codec.compress(options.codec, body)
                try store.put(key: key, data: data, options: options.put)
                lock.withLock { uploadedObjects += 1; uploadedBytes += data.count }
            } catch {
                lock.withLock { if failure == nil { failure = ArchiveStoreErrors.runError(error, doing: "archive \(store.location)\(key)") } }
            }
        }
    }

    func check() throws {
        if let failure = lock.withLock({ failure }) { throw failure }
    }

    /// Waits for every queued upload; then everything handed over is durable.
    func drain() throws {
        group.wait()
        try check()
    }
}
