import Codecs
import ObjectStore
import SecStreamArchive

/// How `process --archive` cuts and stores objects.
package struct ArchiveWriterOptions {
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
    /// `--encrypt`: each compressed object sealed under a fresh data key
    /// wrapped by the keyring's current key (`ArchiveEnvelope`).
    var encryption: ArchiveKeyring?
}

