import Codecs
import SecStreamCore

/// The archive's object keys (docs/archive-layout.md):
/// `dt=YYYY-MM-DD/hour=HH/<name>.ndjson.<gz|lz4>` under the store's prefix,
/// partitioned by event time in UTC, Hive style, so DuckDB, Athena and Spark
/// read it unchanged.
///
/// `<name>` says what the object holds, so a re-run writes the same names:
/// `<file basename>-<first line, 12 digits>` for a file input (standard input:
/// `stdin-<hash of its first event>-<first line>`) and
/// `<topic>-<partition>-<first offset, 12 digits>` for a Kafka partition. The
/// zero padding makes the names of one input sort in input order.
public enum ArchiveLayout {
    public static let hourMs: Int64 = 3_600_000
    public static let positionDigits = 12

    /// `dt=2026-11-20/hour=13/` for the hour that holds `hour * hourMs`.
    public static func hourPrefix(hour: Int64) -> String {
        let stamp = EventTime.format(hour * hourMs)  // 2026-11-20T13:00:00.000Z
        let date = stamp.prefix(10)
        let hh = stamp.dropFirst(11).prefix(2)
        return "dt=\(date)/hour=\(hh)/"
    }

    public static func hour(of time: Int64) -> Int64 {
        time >= 0 ? time / hourMs : (time - hourMs + 1) / hourMs
    }

    public static func objectKey(hour: Int64, stem: String, firstPosition: Int64, codec: CompressionCodec) -> String {
        hourPrefix(hour: hour) + objectName(stem: stem, firstPosition: firstPosition, codec: codec)
    }

    public static func objectName(stem: String, firstPosition: Int64, codec: CompressionCodec) -> String {
        var digits = String(firstPosition)
        if digits.count < positionDigits { digits = String(repeating: "0", count: positionDigits - digits.count) + digits }
        return "\(stem)-\(digits).ndjson.\(codec.fileExtension ?? "ndjson")"
    }

    /// The run-independent stem of an input's objects: the file's base name
    /// without compression and NDJSON extensions, or `topic-partition`;
    /// characters outside `[A-Za-z0-9._-]` become `_`.
    public static func stem(for source: AlertSample) -> String {
        switch source {
        case .file(let name, _):
            var base = Substring(name.split(separator: "/").last ?? "stdin")
            for ext in [".gz", ".gzip", ".lz4", ".zst", ".zstd"] where base.lowercased().hasSuffix(ext) {
                base = base.dropLast(ext.count)
            }
            for ext in [".ndjson", ".jsonl", ".json", ".log"] where base.lowercased().hasSuffix(ext) {
                base = base.dropLast(ext.count)
            }
            return sanitize(base.isEmpty ? "input" : String(base))
        case .partition(let topic, let partition, _):
            return sanitize("\(topic)-\(partition)")
        }
    }

    public static func sanitize(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { c -> Unicode.Scalar in
            switch c {
            case "A"..."Z", "a"..."z", "0"..."9", ".", "_", "-": return c
            default: return "_"
            }
        }))
    }

    /// The codec an object key names by its extension, nil for a key that is
    /// not an archive object (a temporary file, a marker, another tool's file).
    public static func codec(ofKey key: String) -> CompressionCodec? {
        if key.hasSuffix(".ndjson.gz") { return .gzip }
        if key.hasSuffix(".ndjson.lz4") { return .lz4 }
        if key.hasSuffix(".ndjson.zst") { return .zstd }
        if key.hasSuffix(".ndjson") { return CompressionCodec.none }
        return nil
    }

    /// True when `name` (the last key segment) is an object of `stem`:
    /// `<stem>-<digits>.ndjson[.<ext>]`, whatever the compression.
    public static func isObject(named name: Substring, of stem: String) -> Bool {
        guard name.hasPrefix(stem + "-") else { return false }
        let rest = name.dropFirst(stem.count + 1)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        return !digits.isEmpty && rest.dropFirst(digits.count).hasPrefix(".ndjson")
    }

    /// The hour a `dt=YYYY-MM-DD/hour=HH/` key lies in, or nil when the key
    /// is not laid out that way.
    public static func hour(ofKey key: Substring) -> Int64? {
        guard key.hasPrefix("dt="), key.count >= 22 else { return nil }
        let date = key.dropFirst(3).prefix(10)
        let rest = key.dropFirst(13)
        guard rest.hasPrefix("/hour="), let hh = Int(rest.dropFirst(6).prefix(2)), (0...23).contains(hh),
              rest.dropFirst(8).hasPrefix("/"), let day = EventTime.parseCLITime(String(date)) else { return nil }
        return day / hourMs + Int64(hh)
    }
}
