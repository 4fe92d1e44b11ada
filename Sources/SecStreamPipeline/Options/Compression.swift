import Codecs
import Kafka

/// How archive objects are compressed (`process --archive-compression`):
/// lz4 frames, the default (fast to write and to scan), or gzip (smaller,
/// readable by every tool).
public enum ArchiveCompression: String, CaseIterable, Sendable {
    case lz4, gzip

    /// `lz4` or `gzip` (also `gz`), any case.
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "lz4": self = .lz4
        case "gzip", "gz": self = .gzip
        default: throw OptionValueError(text, "not lz4 or gzip")
        }
    }

    /// The codec the archive writer compresses with.
    public var codec: CompressionCodec {
        switch self {
        case .lz4: return .lz4
        case .gzip: return .gzip
        }
    }
}

/// The codec of record batches produced to Kafka (`ingest --compression`,
/// `kafka://…/topic?compression=` on `--alerts` and `--dead-letter`).
/// zstd needs brokers of Kafka 2.1 or later (Produce v7).
public enum KafkaCompression: String, CaseIterable, Sendable {
    case none, gzip, snappy, lz4, zstd

    /// One of the codec names, any case.
    public init(parsing text: String) throws {
        guard let codec = KafkaCompression(rawValue: text.lowercased()) else {
            throw OptionValueError(text, "not none, gzip, snappy, lz4 or zstd")
        }
        self = codec
    }

    /// The record batch attribute the producer writes (same names as Kafka's).
    public var record: RecordCompression { RecordCompression(name: rawValue)! }
}
