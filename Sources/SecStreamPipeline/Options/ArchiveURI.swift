import SecStreamArchive
import ObjectStore

/// Where an archive lives (`process --archive`, `replay`, `query`): a
/// directory (a path or `file:///dir`) or `s3://bucket/prefix`. Parsing
/// checks the form only; the store is opened (and S3 credentials resolved)
/// by the run.
public struct ArchiveURI: Equatable, Sendable, CustomStringConvertible {
    public enum Location: Equatable, Sendable {
        case directory(path: String)
        case s3(bucket: String, prefix: String)
    }

    /// The URI as given: what `ObjectStoreURI.open` reads and messages name.
    public let text: String
    public let location: Location

    public init(parsing text: String) throws {
        if text.hasPrefix("s3://") {
            let rest = text.dropFirst("s3://".count)
            let bucket = String(rest.prefix { $0 != "/" })
            guard !bucket.isEmpty else { throw OptionValueError(text, "not s3://bucket/prefix (no bucket)") }
            location = .s3(bucket: bucket, prefix: String(rest.dropFirst(bucket.count).drop { $0 == "/" }))
        } else {
            location = .directory(path: try LocalPath.parse(text, expected: "a directory, file:///dir or s3://bucket/prefix"))
        }
        self.text = text
    }

    public var description: String { text }
}

extension ArchiveStoreErrors {
    /// Opens the archive `uri` names (`--archive`): see `open(_:flag:)`.
    package static func open(_ uri: ArchiveURI, flag: String) throws -> ObjectStore {
        try open(uri.text, flag: flag)
    }

    /// Opens an archive to read (`replay`, `query`): see `openExisting(_:flag:)`.
    static func openExisting(_ uri: ArchiveURI, flag: String) throws -> ObjectStore {
        try openExisting(uri.text, flag: flag)
    }
}
