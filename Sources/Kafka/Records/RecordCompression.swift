/// The compression codec of a record batch, as stored in bits 0–2 of the
/// batch attributes. The byte work is delegated to the `Codecs` module.
public enum RecordCompression: Int16, Sendable, CaseIterable {
    case none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4

    public init?(name: String) {
        switch name.lowercased() {
        case "none", "": self = .none
        case "gzip": self = .gzip
        case "snappy": self = .snappy
        case "lz4": self = .lz4
        case "zstd": self = .zstd
        default: return nil
        }
    }
}
