// libFuzzer target: the byte-level JSON field scanner on one NDJSON line, then
// every consumer of what it found (string unescaping, numbers, event time,
// array elements). Slots must lie inside the line and hold what their kind says.
import SecStreamCore

private let paths = [
    "@timestamp", "event.outcome", "user.name", "source.ip", "source.port", "a", "a.b", "a.b.c",
    "tags", "Event.UserData.*.Address", "x.*", "event.created", "process.command_line",
]
private let schema = FieldSchema(paths: paths)
private let scanner = FieldScanner(schema: schema)
private let slots = UnsafeMutableBufferPointer<FieldSlot>.allocate(capacity: schema.count)
private let trackedSlots = UnsafeMutableBufferPointer<FieldSlot>.allocate(capacity: schema.count)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFieldScanner(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // Copy into an exactly sized allocation so ASan sees any read past the line.
    let line = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
    defer { line.deallocate() }
    if let data, size > 0 { line.copyMemory(from: UnsafeRawBufferPointer(start: data, count: size)) }
    let bytes = UnsafeRawBufferPointer(line)
    let result = scanner.scan(bytes, into: slots)
    // The tracking scan (the archive masker's) finds the same as the plain one.
    var shape = LineShape()
    let tracked = scanner.scan(bytes, into: trackedSlots, shape: &shape)
    precondition(tracked.description == result.description, "tracking scan: \(tracked) vs \(result)")
    guard result.isOK else { return 0 }
    for id in 0..<schema.count {
        let a = slots[id], b = trackedSlots[id]
        precondition(a.kind == b.kind && (a.kind == .missing || (a.start == b.start && a.end == b.end)),
                     "tracking scan: slot \(paths[id]) differs")
    }
    var scratch: [UInt8] = []
    var millis = EventTimeParser()
    var seconds = EventTimeParser(epochUnit: .seconds)
    for id in 0..<schema.count {
        let slot = slots[id]
        if slot.kind == .missing { continue }
        precondition(slot.start >= 0 && slot.start <= slot.end && Int(slot.end) <= size,
                     "slot \(paths[id]) \(slot.start)..<\(slot.end) outside a \(size)-byte line")
        let raw = UnsafeRawBufferPointer(rebasing: bytes[Int(slot.start)..<Int(slot.end)])
        switch slot.kind {
        case .escapedString:
            _ = JSONString.unescape(raw, into: &scratch)
            _ = JSONString.decode(raw, kind: slot.kind)
        case .string:
            _ = JSONString.decode(raw, kind: slot.kind)
        case .number:
            _ = JSONNumber.parseDouble(raw)
            _ = JSONNumber.parseInt64(raw)
        case .array:
            var elements = JSONArrayElements(line: bytes, slot: slot)
            var n = 0
            while let element = elements.next() {
                precondition(element.start >= slot.start && element.start <= element.end && element.end <= slot.end,
                             "array element \(element.start)..<\(element.end) outside its array \(slot.start)..<\(slot.end)")
                n += 1
                precondition(n <= size, "more array elements than bytes")
            }
        default:
            break
        }
        _ = millis.parse(raw, kind: slot.kind)
        _ = seconds.parse(raw, kind: slot.kind)
    }
    return 0
}
