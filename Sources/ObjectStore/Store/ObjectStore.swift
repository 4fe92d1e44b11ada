/// One interface over the places secstream keeps archive objects: a local
/// directory (the embedded default) and S3. Keys are relative to the store's
/// scope (the prefix of the URI it was opened with), use `/` as separator and
/// sort as S3 sorts them: by UTF-8 bytes.
///
/// Every method is synchronous and safe to call from several threads at once;
/// parallelism comes from calling it from several threads (see
/// `ObjectStore.getMany`), which the S3 store serves over a pool of reused
/// connections.
public protocol ObjectStore: AnyObject, Sendable {
    /// Where the store points, for messages: `s3://bucket/prefix/` or `file:///dir/`.
    var location: String { get }

    /// Writes the whole object atomically: readers see either the previous
    /// object or the new one, never a part. Large bodies go up as S3 multipart
    /// uploads behind the same call.
    func put(key: String, data: [UInt8], options: PutOptions) throws

    /// Reads the object, or the bytes in `range`. Throws `.notFound` when the
    /// key does not exist.
    func get(key: String, range: ByteRange?) throws -> [UInt8]

    /// The object's metadata, or nil when it does not exist.
    func head(key: String) throws -> ObjectInfo?

    /// Lists keys under `prefix` in UTF-8 byte order, one page at a time.
    /// With a delimiter, keys that contain it after the prefix are rolled up
    /// into common prefixes, as S3 does. `onPage` returns false to stop early.
    func list(prefix: String, delimiter: String?, startAfter: String?, pageSize: Int,
              onPage: (ListPage) throws -> Bool) throws

    /// Removes the object. Deleting a key that does not exist succeeds (as on S3).
    func delete(key: String) throws
}

public extension ObjectStore {
    func put(key: String, data: [UInt8]) throws {
        try put(key: key, data: data, options: PutOptions())
    }

    func get(key: String) throws -> [UInt8] {
        try get(key: key, range: nil)
    }

    /// Every key and common prefix under `prefix`, all pages gathered.
    func listAll(prefix: String = "", delimiter: String? = nil) throws -> ListPage {
        var all = ListPage(objects: [], commonPrefixes: [])
        try list(prefix: prefix, delimiter: delimiter, startAfter: nil, pageSize: 1000) { page in
            all.objects.append(contentsOf: page.objects)
            all.commonPrefixes.append(contentsOf: page.commonPrefixes)
            return true
        }
        return all
    }
}

/// Metadata of one stored object.
public struct ObjectInfo: Equatable, Sendable {
    public var key: String
    public var size: Int
    /// S3's ETag (quotes removed); for local files a size/mtime fingerprint.
    public var etag: String
    /// Last modification time in milliseconds since the Unix epoch.
    public var lastModifiedMillis: Int64

    public init(key: String, size: Int, etag: String, lastModifiedMillis: Int64) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModifiedMillis = lastModifiedMillis
    }
}

/// One page of a listing: objects and rolled-up common prefixes, both sorted.
public struct ListPage: Equatable, Sendable {
    public var objects: [ObjectInfo]
    public var commonPrefixes: [String]

    public init(objects: [ObjectInfo], commonPrefixes: [String]) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
    }
}

/// A byte range of an object: `length` bytes from `offset`, or to the end
/// when `length` is nil. Like an HTTP range, it may run past the end of the
/// object (the result is shorter) but must start inside it.
public struct ByteRange: Equatable, Sendable {
    public var offset: Int
    public var length: Int?

    public init(offset: Int, length: Int? = nil) {
        precondition(offset >= 0 && (length ?? 1) > 0, "ByteRange needs offset >= 0 and length > 0")
        self.offset = offset
        self.length = length
    }

    /// The HTTP `Range` header value: `bytes=first-last` (last inclusive).
    var httpHeaderValue: String {
        if let length { return "bytes=\(offset)-\(offset + length - 1)" }
        return "bytes=\(offset)-"
    }
}

/// Server-side encryption requested on upload.
public enum ServerSideEncryption: Equatable, Sendable {
    /// SSE-S3 (`x-amz-server-side-encryption: AES256`).
    case aes256
    /// SSE-KMS with an optional key id (the bucket's default key when nil).
    case kms(keyId: String?)
}

/// Per-upload options.
public struct PutOptions: Equatable, Sendable {
    public var contentType: String?
    public var serverSideEncryption: ServerSideEncryption?

    public init(contentType: String? = nil, serverSideEncryption: ServerSideEncryption? = nil) {
        self.contentType = contentType
        self.serverSideEncryption = serverSideEncryption
    }
}
