import Foundation

/// Opens the store an archive URI names (docs/uris-and-exit-codes.md):
/// `s3://bucket/prefix` → `S3ObjectStore` scoped to the prefix, configured
/// from the standard AWS environment and files (plus `s3Overrides`);
/// `file:///dir` or a plain path → `FileObjectStore` rooted there.
public enum ObjectStoreURI {
    public static func open(_ uri: String,
                            s3Overrides: S3Configuration.Overrides = S3Configuration.Overrides(),
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            tuning: ((inout S3Configuration) -> Void)? = nil) throws -> ObjectStore {
        if uri.hasPrefix("s3://") {
            let rest = uri.dropFirst("s3://".count)
            let bucket = String(rest.prefix { $0 != "/" })
            let prefix = String(rest.dropFirst(bucket.count).drop { $0 == "/" })
            guard !bucket.isEmpty else {
                throw ObjectStoreError(kind: .configuration, operation: "open", target: uri,
                                       message: "an S3 URI needs a bucket: s3://bucket/prefix")
            }
            var configuration = try S3Configuration.resolve(environment: environment, overrides: s3Overrides)
            tuning?(&configuration)
            return S3ObjectStore(bucket: bucket, prefix: prefix, configuration: configuration)
        }
        if uri.hasPrefix("file://") {
            let path = String(uri.dropFirst("file://".count))
            guard path.hasPrefix("/") else {
                throw ObjectStoreError(kind: .configuration, operation: "open", target: uri,
                                       message: "a file URI needs an absolute path: file:///dir")
            }
            return try FileObjectStore(root: URIEncoding.decode(path))
        }
        if let scheme = uri.range(of: "://") {
            throw ObjectStoreError(kind: .configuration, operation: "open", target: uri,
                                   message: "unsupported scheme '\(uri[..<scheme.lowerBound])': use s3://, file:// or a directory path")
        }
        guard !uri.isEmpty else {
            throw ObjectStoreError(kind: .configuration, operation: "open", target: uri, message: "empty archive location")
        }
        let absolute = uri.hasPrefix("/") ? uri : FileManager.default.currentDirectoryPath + "/" + uri
        return try FileObjectStore(root: absolute)
    }
}
