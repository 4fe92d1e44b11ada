import ArgumentParser
import SecStreamPipeline

/// `process --archive` and how its objects are cut and stored: they map onto
/// `ArchiveConfiguration`.
struct ArchiveOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Also write every valid event to this archive (a directory, file:///dir or s3://bucket/prefix).", valueName: "uri"))
    var archive: ArchiveURI?
    @Option(name: .customLong("archive-compression"), help: "Archive object compression: lz4 (frame) or gzip.")
    var archiveCompression = ArchiveConfiguration.defaultCompression
    @Option(name: .customLong("archive-flush-bytes"), help: ArgumentHelp("Cut an archive object at this uncompressed size (e.g. 8MiB; at most 5GiB).", valueName: "size"))
    var archiveFlushBytes = ArchiveConfiguration.defaultFlushBytes
    @Option(name: .customLong("archive-flush-age"), help: ArgumentHelp("Cut an hour's archive object once the input's event time is this far past the hour (event time).", valueName: "duration"))
    var archiveFlushAge = ArchiveConfiguration.defaultFlushAge
    @Option(name: .customLong("archive-sse"), help: "Server-side encryption for archive objects.")
    var archiveSSE: ArchiveSSE?
    @Option(name: .customLong("archive-kms-key-id"), help: "KMS key for --archive-sse aws:kms (default: the bucket's key).")
    var archiveKMSKeyId: String?
    @Option(name: .customLong("encrypt"), help: ArgumentHelp("Encrypt archive objects client-side (AES-256-GCM, a data key per object wrapped by the keyring's last key; see secstream-archive(5)). The keyring: one 'ID HEX64' per line.", valueName: "keyring"))
    var encrypt: String?

    /// nil without `--archive` (the other flags are then ignored).
    var configuration: ArchiveConfiguration? {
        guard let archive else { return nil }
        var a = ArchiveConfiguration(uri: archive)
        a.compression = archiveCompression; a.flushBytes = archiveFlushBytes; a.flushAge = archiveFlushAge
        a.serverSideEncryption = archiveSSE; a.kmsKeyId = archiveKMSKeyId
        a.encryptKeyring = encrypt
        return a
    }
}
