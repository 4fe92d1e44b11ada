import SecStreamCore
import Foundation
import ObjectStore

/// Maps object-store failures to the exit codes of docs/uris-and-exit-codes.md: a remote store
/// that failed after retries is 4, a bad URI or missing credentials is 2,
/// anything else (local disk, a missing object) is an input error, 3.
public enum ArchiveStoreErrors {
    public static func runError(_ error: Error, doing what: String) -> RunError {
        if let error = error as? RunError { return error }
        guard let store = error as? ObjectStoreError else { return RunError(.input, "\(what): \(error)") }
        switch store.kind {
        case .remoteFailed: return RunError(.remote, "\(what): \(store)")
        case .configuration, .invalidKey: return RunError(.usage, "\(what): \(store)")
        default: return RunError(.input, "\(what): \(store)")
        }
    }

    /// Opens an archive to read (`query`, `replay`): a local archive must
    /// exist (opening a directory store would create it, and a typo would
    /// then read as an empty archive).
    public static func openExisting(_ uri: String, flag: String) throws -> ObjectStore {
        let isLocal = uri.hasPrefix("file://") || !uri.contains("://")
        if isLocal {
            let path = uri.hasPrefix("file://") ? String(uri.dropFirst("file://".count)).removingPercentEncoding ?? uri : uri
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw RunError(.input, "\(flag) \(uri): no archive directory there")
            }
        }
        return try open(uri, flag: flag)
    }

    public static func open(_ uri: String, flag: String) throws -> ObjectStore {
        do { return try ObjectStoreURI.open(uri) } catch { throw runError(error, doing: "\(flag) \(uri)") }
    }
}
