import Codecs
import ObjectStore

/// How `process --archive` cuts and stores objects.
struct ArchiveWriterOptions {
    var codec: CompressionCodec = .lz4
    /// An object is uploaded once it holds this many uncompressed bytes.
    var flushBytes = 8 << 20
    /// An hour's object of an input is uploaded once that input's newest event
    /// time is this far past the end of the hour (event time, not wall clock,
    /// so a re-run cuts the same objects). Keep it above the lateness.
    var flushAgeMs: Int64 = 10 * 60_000
    var put = PutOptions(contentType: "application/x-ndjson")
    /// Uploads in flight at once (each holds one object in memory).
    var uploadParallelism = 4
}

extension ArchiveWriterOptions {
    /// The writer options `process` was given, validated (usage errors name the flag).
    init(_ o: ProcessOptions) throws {
        switch o.archiveCompression.lowercased() {
        case "lz4": codec = .lz4
        case "gzip", "gz": codec = .gzip
        default: throw RunError(.usage, "--archive-compression: '\(o.archiveCompression)' is not lz4 or gzip")
        }
        flushBytes = try OptionParsing.byteSize(o.archiveFlushBytes, flag: "--archive-flush-bytes")
        flushAgeMs = try OptionParsing.duration(o.archiveFlushAge, flag: "--archive-flush-age")
        switch o.archiveSSE {
        case nil:
            if o.archiveKMSKeyId != nil { throw RunError(.usage, "--archive-kms-key-id needs --archive-sse aws:kms") }
        case "AES256"?: put.serverSideEncryption = .aes256
        case "aws:kms"?: put.serverSideEncryption = .kms(keyId: o.archiveKMSKeyId)
        case let other?: throw RunError(.usage, "--archive-sse: '\(other)' is not AES256 or aws:kms")
        }
        if o.archiveSSE == "AES256" && o.archiveKMSKeyId != nil {
            throw RunError(.usage, "--archive-kms-key-id needs --archive-sse aws:kms")
        }
    }
}

extension OptionParsing {
    /// `8388608`, `64KiB`, `8MiB`, `1GiB` (also `K`, `M`, `G`, `KB`, `MB`: powers of 1024).
    static func byteSize(_ text: String, flag: String) throws -> Int {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let unit = text.dropFirst(digits.count).lowercased()
        let multipliers: [String: Int] = ["": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
                                          "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30]
        guard let n = Int(digits), n > 0, let m = multipliers[unit], n <= Int.max / m else {
            throw RunError(.usage, "\(flag): '\(text)' is not a size (e.g. 65536, 64KiB, 8MiB)")
        }
        return n * m
    }
}
