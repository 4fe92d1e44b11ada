import Codecs
import Foundation
import SecStreamCore

/// Output formats of `query`. Rows are rendered by the workers into byte
/// buffers (ndjson, csv) and written in archive order; a table needs every
/// row for its column widths, so it collects decoded cells and prints at the end.
public enum QueryFormat: String, CaseIterable, Sendable {
    case ndjson, csv, table

    /// `ndjson`, `csv` or `table`, any case.
    public init(parsing text: String) throws {
        guard let format = QueryFormat(rawValue: text.lowercased()) else {
            throw OptionValueError(text, "not ndjson, csv or table")
        }
        self = format
    }
}

/// Renders field values the way each format shows them.
enum QueryCells {
    /// The JSON text of a value: strings keep their quotes and escapes.
    static func appendJSON(_ slot: FieldSlot, line: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let raw = UnsafeRawBufferPointer(rebasing: line[Int(slot.start)..<Int(slot.end)])
        switch slot.kind {
        case .missing: out.append(contentsOf: [0x6e, 0x75, 0x6c, 0x6c])  // null
        case .string, .escapedString:
            out.append(0x22); out.append(contentsOf: raw); out.append(0x22)
        default: out.append(contentsOf: raw)
        }
    }

    /// The text a person reads: strings unescaped, other values as JSON text,
    /// a missing field empty.
    static func appendText(_ slot: FieldSlot, line: UnsafeRawBufferPointer, scratch: inout [UInt8], to out: inout [UInt8]) {
        let raw = UnsafeRawBufferPointer(rebasing: line[Int(slot.start)..<Int(slot.end)])
        switch slot.kind {
        case .missing: break
        case .escapedString:
            if JSONString.unescape(raw, into: &scratch) { out.append(contentsOf: scratch) } else { out.append(contentsOf: raw) }
        case .string: out.append(contentsOf: raw)
        default: appendJSON(slot, line: line, to: &out)
        }
    }

    /// RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled.
    static func appendCSV(_ text: [UInt8], to out: inout [UInt8]) {
        guard text.contains(where: { $0 == 0x2c || $0 == 0x22 || $0 == 0x0a || $0 == 0x0d }) else {
            out.append(contentsOf: text)
            return
        }
        out.append(0x22)
        for b in text {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
    }

    /// An aligned text table: header, dashes, rows; columns padded by
    /// characters (not bytes) so UTF-8 names line up.
    static func table(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (i, cell) in cells.enumerated() {
                if i > 0 { text += "  " }
                text += i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }
            return text + "\n"
        }
        var out = line(header)
        out += line(widths.map { String(repeating: "-", count: $0) })
        for row in rows { out += line(row) }
        return out
    }
}
