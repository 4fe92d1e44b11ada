import Metrics
import SecStreamArchive
import Codecs
import Dispatch
import Foundation
import ObjectStore
import Workers

/// Compresses and uploads archive objects off the engine thread, a bounded
/// number at a time (`uploadParallelism`), on the shared `OrderedWorkerPool`.
/// A pool session starts with the first upload after a drain and ends at the
/// next drain, so no thread outlives the objects it uploads. The first
/// failure is kept and rethrown by `check` or `drain`, so the engine learns
/// of it after its current job.
final class ArchiveUploader: @unchecked Sendable {
    private struct Upload { let key: String; let body: [UInt8] }

    private let store: ObjectStore
    private let options: ArchiveWriterOptions
    private let lock = NSCondition()
    /// Handed over by the engine thread, not yet taken by the pool (at most one:
    /// the pool's depth is the bound on objects held in memory).
    private var queued: [Upload] = []
    private var closing = false
    /// Signalled when the running pool session has finished every upload.
    private var session: DispatchSemaphore?
    private var failure: Error?
    private var objects = 0
    private var bytes = 0

    init(store: ObjectStore, options: ArchiveWriterOptions) {
        self.store = store
        self.options = options
    }

    var uploadedObjects: Int { lock.withLock { objects } }
    var uploadedBytes: Int { lock.withLock { bytes } }

    /// Queues `body` (NDJSON, uncompressed) for `key`; blocks while the
    /// maximum number of uploads is in flight.
    func upload(key: String, body: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        while !queued.isEmpty { lock.wait() }
        queued.append(Upload(key: key, body: body))
        lock.broadcast()
        if session == nil { session = startSession() }
    }

    func check() throws {
        if let failure = lock.withLock({ failure }) { throw failure }
    }

    /// Waits for every queued upload; then everything handed over is durable.
    func drain() throws {
        lock.lock()
        let running = session
        closing = true
        lock.broadcast()
        lock.unlock()
        running?.wait()
        lock.lock()
        session = nil
        closing = false
        lock.unlock()
        try check()
    }

    private func startSession() -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let width = max(1, options.uploadParallelism)
        let thread = Thread { [self] in
            // `work` never throws (a failure is a value), so one bad object
            // stops nothing else and every queued upload is attempted.
            try? OrderedWorkerPool.run(workers: width, depth: width, produce: { [self] in nextUpload() },
                                       work: { [self] _, upload in Result { try put(upload) } },
                                       consume: { [self] (result: Result<Int, Error>) in self.record(result); return true })
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        return done
    }

    /// The pool's producer: the next handed-over object, or nil once a drain
    /// asked for the session to end and nothing is left.
    private func nextUpload() -> Upload? {
        lock.lock()
        defer { lock.unlock() }
        while queued.isEmpty && !closing { lock.wait() }
        guard !queued.isEmpty else { return nil }
        lock.broadcast()
        return queued.removeFirst()
    }

    private func put(_ upload: Upload) throws -> Int {
        do {
            var data = try Codec.compress(options.codec, upload.body)
            if let keyring = options.encryption { data = ArchiveEnvelope.seal(data, keyring: keyring) }
            try store.put(key: upload.key, data: data, options: options.put)
            return data.count
        } catch {
            throw ArchiveStoreErrors.runError(error, doing: "archive \(store.location)\(upload.key)")
        }
    }

    private func record(_ result: Result<Int, Error>) {
        lock.withLock {
            switch result {
            case .success(let size): objects += 1; bytes += size
            case .failure(let error): if failure == nil { failure = error }
            }
        }
        // One update per object stored (not per event), into the run's registry if it has one.
        if case .success(let size) = result, let registry = ActiveMetrics.registry {
            Counter(registry, "secstream_archive_objects_written_total", help: "Archive objects stored.").add()
            Counter(registry, "secstream_archive_written_bytes_total", help: "Archive bytes stored (compressed).").add(Double(size))
        }
    }
}
