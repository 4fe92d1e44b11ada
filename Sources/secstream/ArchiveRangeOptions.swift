import ArgumentParser
import SecStreamPipeline

/// The archive `replay` and `query` read and the event-time range they read
/// of it; only the `dt=`/`hour=` partitions overlapping `[from, to)` are listed.
struct ArchiveRangeOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The archive: a directory, file:///dir or s3://bucket/prefix.", valueName: "archive"))
    var archive: ArchiveURI
    @Option(help: ArgumentHelp("First event time (inclusive; RFC 3339, a date, or epoch ms).", valueName: "time"))
    var from: Timestamp?
    @Option(help: ArgumentHelp("Event time to stop before (exclusive).", valueName: "time"))
    var to: Timestamp?
    @Option(help: ArgumentHelp("Decrypt client-side encrypted objects with this keyring ('ID HEX64' per line); an object that does not authenticate is named and skipped (exit 3).", valueName: "keyring"))
    var keyring: String?
}
