import SecStreamArchive
import SecStreamCore

/// One decompressed archive object with the event time of each line, parsed
/// by a fetch worker so the merge on the source thread only compares integers.
struct ArchiveReplayObject {
    struct Line {
        var start: Int
        var length: Int
        var time: Int64
    }

    let key: String
    let hour: Int64
    let data: [UInt8]
    let lines: [Line]

    /// Splits `data` into lines and reads each line's time. A line without a
    /// readable time (never written by `process`, but an archive may be
    /// edited) keeps the previous line's time so that it reaches the pipeline
    /// in place and is dead-lettered there as malformed.
    init(key: String, hour: Int64, data: [UInt8], timeReader: LineTimeReader) {
        self.key = key
        self.hour = hour
        self.data = data
        var lines: [Line] = []
        var previous = hour * ArchiveLayout.hourMs
        data.withUnsafeBytes { bytes in
            let base = bytes.baseAddress
            ArchiveObjectReader.forEachLine(bytes) { line, _ in
                guard line.count > 0, let start = line.baseAddress, let base else { return }
                let time = timeReader.time(of: line) ?? previous
                previous = time
                lines.append(Line(start: base.distance(to: start), length: line.count, time: time))
            }
        }
        self.lines = lines
    }
}
