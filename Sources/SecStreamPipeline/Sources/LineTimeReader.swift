import SecStreamCore

/// Reads only the event time of a line (a one-field schema scan): what the
/// sources that order their inputs by event time compare (the file merge,
/// the archive replay), without the workers' full scan.
final class LineTimeReader {
    private let scanner: FieldScanner
    private let slots: UnsafeMutableBufferPointer<FieldSlot>
    private var parser: EventTimeParser

    init(timeField: String, epochUnit: EpochUnit = .milliseconds) {
        parser = EventTimeParser(epochUnit: epochUnit)
        scanner = FieldScanner(schema: FieldSchema(paths: [timeField]))
        slots = .allocate(capacity: 1)
        slots.initialize(repeating: .missing)
    }

    deinit { slots.deallocate() }

    /// The line's event time; nil when the line is not an event (not a JSON
    /// object, no readable time), as the workers would find.
    func time(of line: UnsafeRawBufferPointer) -> Int64? {
        guard scanner.scan(line, into: slots).isOK else { return nil }
        let slot = slots[0]
        if slot.isMissing { return nil }
        return parser.parse(UnsafeRawBufferPointer(rebasing: line[Int(slot.start)..<Int(slot.end)]), kind: slot.kind)
    }

    /// The time of the first event among the chunk's lines; nil when none of them is one.
    func firstTime(in chunk: LineChunk) -> Int64? {
        for line in chunk where !line.isOversized && line.length > 0 {
            if let time = time(of: line.bytes) { return time }
        }
        return nil
    }
}
