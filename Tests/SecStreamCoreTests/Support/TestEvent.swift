import Foundation
@testable import SecStreamCore

/// Test-only: an `EventView` over a JSON line, with the slots of `schema`'s
/// fields filled the way the real scanner fills them (raw bytes of the line,
/// strings without quotes and with escapes unresolved, arrays and objects with
/// their brackets). Fields are found nested (`{"a":{"b":1}}`), flat
/// (`{"a.b":1}`) or mixed. Owns its buffers; use `view` while it is alive.
final class JSONTestEvent {
    let line: UnsafeMutableRawBufferPointer
    let slots: UnsafeMutableBufferPointer<FieldSlot>

    init(_ json: String, schema: FieldSchema) {
        let bytes = Array(json.utf8)
        line = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        line.copyBytes(from: bytes)
        slots = UnsafeMutableBufferPointer<FieldSlot>.allocate(capacity: max(schema.count, 1))
        slots.initialize(repeating: .missing)
        var walker = Walker(bytes: bytes, schema: schema, slots: slots)
        walker.skipSpace()
        precondition(walker.peek == UInt8(ascii: "{"), "JSONTestEvent needs a JSON object: \(json)")
        walker.object(prefix: "")
    }

    deinit {
        line.deallocate()
        slots.deallocate()
    }

    var view: EventView {
        EventView(line: UnsafeRawBufferPointer(rebasing: line[0..<(line.count)]),
                  slots: UnsafeBufferPointer(slots))
    }

    /// A small recursive JSON reader recording the byte range of each wanted path.
    private struct Walker {
        let bytes: [UInt8]
        let schema: FieldSchema
        let slots: UnsafeMutableBufferPointer<FieldSlot>
        var i = 0

        var peek: UInt8 { i < bytes.count ? bytes[i] : 0 }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        /// Reads an object at `i`, recording members whose dotted path is wanted.
        mutating func object(prefix: String) {
            i += 1  // {
            skipSpace()
            if peek == UInt8(ascii: "}") { i += 1; return }
            while i < bytes.count {
                skipSpace()
                let (keyStart, keyEnd, _) = string()
                let key = String(decoding: bytes[keyStart..<keyEnd], as: UTF8.self)
                skipSpace(); i += 1  // :
                skipSpace()
                let path = prefix.isEmpty ? key : prefix + "." + key
                value(path: path)
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                i += 1  // }
                return
            }
        }

        /// Reads a string at `i`; returns the range inside the quotes.
        mutating func string() -> (Int, Int, Bool) {
            i += 1
            let start = i
            var escaped = false
            while bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\") { escaped = true; i += 1 }
                i += 1
            }
            let end = i
            i += 1
            return (start, end, escaped)
        }

        mutating func value(path: String) {
            let start = i
            var slot: FieldSlot
            switch peek {
            case UInt8(ascii: "\""):
                let (s, e, escaped) = string()
                slot = FieldSlot(start: Int32(s), end: Int32(e), kind: escaped ? .escapedString : .string)
            case UInt8(ascii: "{"):
                object(prefix: path)
                slot = FieldSlot(start: Int32(start), end: Int32(i), kind: .object)
            case UInt8(ascii: "["):
                skipArray()
                slot = FieldSlot(start: Int32(start), end: Int32(i), kind: .array)
            default:
                while i < bytes.count, !",}] \t\r\n".utf8.contains(bytes[i]) { i += 1 }
                let kind: ValueKind
                switch bytes[start] {
                case UInt8(ascii: "t"): kind = .trueValue
                case UInt8(ascii: "f"): kind = .falseValue
                case UInt8(ascii: "n"): kind = .null
                default: kind = .number
                }
                slot = FieldSlot(start: Int32(start), end: Int32(i), kind: kind)
            }
            if let id = schema.id(of: path) { slots[id] = slot }
        }

        mutating func skipArray() {
            var depth = 0
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") { _ = string(); continue }
                if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") { depth += 1 }
                if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                    depth -= 1
                    if depth == 0 { i += 1; return }
                }
                i += 1
            }
        }
    }
}
