import SecStreamArchive
import SecStreamCore
import ObjectStore

/// How `process --archive` stores every valid event: where, compressed how,
/// cut into objects when, and encrypted how (the CLI's `ArchiveOptions`
/// group). `validate()` checks the ranges and the flags that go together.
public struct ArchiveConfiguration {
    /// `--archive`: a directory, `file:///dir` or `s3://bucket/prefix`.
    public var uri: ArchiveURI
    /// `--archive-compression`: the codec of the objects. Default: lz4.
    public var compression = defaultCompression
    /// `--archive-flush-bytes`: an object is cut once it holds this many
    /// uncompressed bytes; `flushBytesRange`. Default: 8MiB.
    public var flushBytes = defaultFlushBytes
    /// `--archive-flush-age`: an hour's object of an input is cut once that
    /// input's newest event time is this far past the end of the hour (event
    /// time, so a re-run cuts the same objects; keep it above the lateness).
    /// Default: 10m.
    public var flushAge = defaultFlushAge
    /// `--archive-sse`: server-side encryption of S3 objects. Default: nil,
    /// the bucket's default.
    public var serverSideEncryption: ArchiveSSE?
    /// `--archive-kms-key-id`: the KMS key of `.kms`. Default: nil, the bucket's key.
    public var kmsKeyId: String?
    /// `--encrypt KEYRING`: client-side AES-256-GCM envelopes (secstream-archive(5)).
    public var encryptKeyring: String?

    public init(uri: ArchiveURI) { self.uri = uri }

    public static let defaultCompression = ArchiveCompression.lz4
    public static let defaultFlushBytes = ByteSize.mebibytes(8)
    public static let defaultFlushAge = TimeSpan.minutes(10)

    /// 1 byte to 5GiB: an object is held in memory until it is cut, and S3
    /// takes at most 5GiB in one PUT.
    public static let flushBytesRange = ByteSize(bytes: 1)...ByteSize.gibibytes(5)

    /// Checks the ranges and that a KMS key comes with `--archive-sse aws:kms`.
    public func validate() throws {
        try OptionRange.check(flushBytes, "--archive-flush-bytes", in: Self.flushBytesRange,
                              because: "an object is held in memory until it is cut, and S3 takes at most 5GiB in one PUT")
        try OptionRange.check(flushAge, "--archive-flush-age", in: .zero ... .maximum)
        if kmsKeyId != nil && serverSideEncryption != .kms {
            throw RunError(.usage, "--archive-kms-key-id needs --archive-sse aws:kms")
        }
    }
}

extension ArchiveWriterOptions {
    /// The writer settings of `archive`, validated (usage errors name the flag).
    package init(_ archive: ArchiveConfiguration) throws {
        try archive.validate()
        self.init()
        codec = archive.compression.codec
        flushBytes = archive.flushBytes.bytes
        flushAgeMs = archive.flushAge.milliseconds
        switch archive.serverSideEncryption {
        case nil: break
        case .aes256?: put.serverSideEncryption = .aes256
        case .kms?: put.serverSideEncryption = .kms(keyId: archive.kmsKeyId)
        }
        encryption = try archive.encryptKeyring.map { try ArchiveKeyring.load(path: $0, flag: "--encrypt") }
        if encryption != nil { put.contentType = "application/octet-stream" }
    }
}
