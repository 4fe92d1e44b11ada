import Foundation
import ObjectStore

// secstream-archive-bench: PUT then GET N objects of SIZE bytes through
// secstream's object store (the code `process --archive`, `query` and
// `replay` use), PARALLEL requests at a time, and print the throughput.
// Used by scripts/bench-archive.sh next to boto3 on the same server; not a
// user command.
//
//   secstream-archive-bench URI [COUNT] [SIZE_BYTES] [PARALLEL]

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: secstream-archive-bench URI [COUNT] [SIZE_BYTES] [PARALLEL]\n".utf8))
    exit(2)
}
let uri = arguments[1]
let count = arguments.count > 2 ? Int(arguments[2]) ?? 1000 : 1000
let size = arguments.count > 3 ? Int(arguments[3]) ?? 65_536 : 65_536
let parallel = arguments.count > 4 ? Int(arguments[4]) ?? 8 : 8

/// Runs `job(0..<count)` on `width` threads.
func runParallel(_ count: Int, width: Int, _ job: @escaping @Sendable (Int) throws -> Void) throws {
    final class State: @unchecked Sendable {
        let lock = NSLock()
        var next = 0
        var error: Error?
    }
    let state = State()
    let group = DispatchGroup()
    for _ in 0..<width {
        group.enter()
        Thread.detachNewThread {
            defer { group.leave() }
            while true {
                let index: Int? = state.lock.withLock {
                    guard state.error == nil, state.next < count else { return nil }
                    state.next += 1
                    return state.next - 1
                }
                guard let index else { return }
                do { try job(index) } catch { state.lock.withLock { if state.error == nil { state.error = error } } }
            }
        }
    }
    group.wait()
    if let error = state.error { throw error }
}

do {
    let store = try ObjectStoreURI.open(uri)
    var body = [UInt8](repeating: 0, count: size)
    for i in 0..<size { body[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
    let payload = body
    let keys = (0..<count).map { String(format: "bench/obj-%05d", $0) }

    let putStart = Date()
    try runParallel(count, width: parallel) { i in try store.put(key: keys[i], data: payload) }
    let putSeconds = Date().timeIntervalSince(putStart)

    let getStart = Date()
    let fetched = try store.getMany(keys: keys, parallelism: parallel)
    let getSeconds = Date().timeIntervalSince(getStart)
    guard fetched.allSatisfy({ $0 == payload }) else {
        FileHandle.standardError.write(Data("secstream-archive-bench: a GET returned other bytes than were PUT\n".utf8))
        exit(1)
    }
    let mib = Double(count * size) / 1_048_576
    print(String(format: "secstream store: PUT %d x %d B in %.2fs (%.0f objects/s, %.1f MiB/s); GET in %.2fs (%.0f objects/s, %.1f MiB/s); %d in flight",
                 count, size, putSeconds, Double(count) / putSeconds, mib / putSeconds,
                 getSeconds, Double(count) / getSeconds, mib / getSeconds, parallel))
} catch {
    FileHandle.standardError.write(Data("secstream-archive-bench: \(error)\n".utf8))
    exit(4)
}
