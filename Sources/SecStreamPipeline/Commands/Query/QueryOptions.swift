import Metrics
/// What `secstream query` was asked to do, as typed values (the CLI parses
/// each flag once); `QueryPlan` compiles the filter and checks how the
/// flags combine, `validate()` the ranges.
public struct QueryOptions {
    /// The archive: a directory, `file:///dir` or `s3://bucket/prefix`.
    public var archive: ArchiveURI
    /// `--from`: first event time (inclusive). Default: nil, the archive's first hour.
    public var from: Timestamp?
    /// `--to`: event time to stop before (exclusive). Default: nil, the archive's last hour.
    public var to: Timestamp?
    /// `--where`: the filter expression (secstream-query(1)). Default: nil, every event.
    public var whereExpression: String?
    /// `--select`: the fields to print. Default: nil, whole events.
    public var select: FieldList?
    /// `--count-by`: print one row per distinct tuple of these fields with its count. Default: nil.
    public var countBy: FieldList?
    /// `--limit`: print at most this many rows (0 or more). Default: nil, all.
    public var limit: Int?
    /// `--format`. Default: ndjson.
    public var format = QueryFormat.ndjson
    /// `--time-field`: the field holding the event time. Default: `@timestamp`.
    public var timeField = "@timestamp"
    /// `--parallelism`: objects fetched and scanned at once; 0 = one per core
    /// for a local directory (at least 2), two per core for S3;
    /// `parallelismRange`. Default: 0.
    public var parallelism = 0
    /// `--metrics-listen`, `--metrics-file`, `--metrics-interval`, `--metrics-push`. Default: none.
    public var metrics = MetricsSettings()
    /// Print the summary line on stderr (`--quiet` turns it off). Default: true.
    public var summary = true
    /// `--progress` (always) / `--quiet` (never): the progress line on stderr.
    /// Default: auto, when stderr is a terminal.
    public var progress = ProgressMode.auto
    /// `--mask`: result rows hold masked values.
    public var masking = MaskingConfiguration()
    /// `--keyring`: decrypts client-side encrypted objects.
    public var keyring: String?

    public init(archive: ArchiveURI) { self.archive = archive }

    /// At most 1024 objects at once: each holds a fetched object and a decode buffer.
    public static let parallelismRange = 0...1024

    /// Checks the ranges; the first problem is a usage error naming its flag.
    public func validate() throws {
        try metrics.validate()
        if let limit { try OptionRange.check(limit, "--limit", in: 0...Int.max) }
        try OptionRange.check(parallelism, "--parallelism", in: Self.parallelismRange)
    }
}
