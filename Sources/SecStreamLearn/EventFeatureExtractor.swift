import SecStreamCore

/// Reads, on a worker thread, what each window feature needs of one scanned
/// event into an `EventFeatureRows` row: the group value and one 64-bit cell
/// per feature. The fields are interned into the scan's schema
/// (`ScanContext`), so the one scan that serves the rules serves the model too.
public final class EventFeatureExtractor: @unchecked Sendable {
    public let spec: WindowFeatureSpec
    let groupField: FieldID
    /// Per feature: what to read (`Cell`) and from which field slot (-1: none).
    let cells: [Cell]
    let fields: [FieldID]
    let equals: [[UInt8]]

    enum Cell: UInt8 {
        /// Nothing from the event (count, hour of day; a rule match is set
        /// afterwards by the worker that matched it, `EventFeatureRows.markRuleMatch`).
        case none
        /// 1 when the value equals, else 0.
        case equals
        /// 0 missing, 1 present and different, 2 equal.
        case presentEquals
        /// A hash of the value, 0 when missing.
        case valueHash
        /// The numeric value's `Double` bits, 0.0 when missing or not a number.
        case number
    }

    /// Interns the spec's fields into `schema` (the scanner is built from it afterwards).
    public init(spec: WindowFeatureSpec, schema: FieldSchema) {
        self.spec = spec
        groupField = schema.intern(spec.groupBy)
        var cells: [Cell] = [], fields: [FieldID] = [], equals: [[UInt8]] = []
        for f in spec.features {
            var e: [UInt8] = []
            switch f.kind {
            case .count, .hourSin, .hourCos, .ruleMatches: cells.append(.none)
            case .countWhere(_, let v): cells.append(.equals); e = Array(v.utf8)
            case .ratioWhere(_, let v): cells.append(.presentEquals); e = Array(v.utf8)
            case .distinct: cells.append(.valueHash)
            case .sum: cells.append(.number)
            }
            fields.append(f.kind.field.map { schema.intern($0) } ?? -1)
            equals.append(e)
        }
        self.cells = cells
        self.fields = fields
        self.equals = equals
    }

    /// Appends the row of `event` (line `line` of the job) to `rows`; an event
    /// without the group field adds none: it belongs to no group's window.
    @inline(__always)
    public func extract(_ event: EventView, line: Int, into rows: inout EventFeatureRows) {
        let added: Bool? = event.withScalarValue(groupField) { group in
            rows.startRow(line: line, group: group)
            return true
        }
        guard added == true else { return }
        for i in 0..<cells.count {
            let field = fields[i]
            var cell: UInt64 = 0
            switch cells[i] {
            case .none:
                break
            case .equals:
                cell = event.withScalarValue(field) { v in Self.equal(v, equals[i]) ? 1 : 0 } ?? 0
            case .presentEquals:
                cell = event.withScalarValue(field) { v in Self.equal(v, equals[i]) ? 2 : 1 } ?? 0
            case .valueHash:
                cell = event.withScalarValue(field) { v in Self.hash(v) } ?? 0
            case .number:
                if event.slot(field).kind == .number {
                    cell = (JSONNumber.parseDouble(event.raw(field)) ?? 0).bitPattern
                }
            }
            rows.cells.append(cell)
        }
    }

    @inline(__always)
    static func equal(_ value: UnsafeRawBufferPointer, _ expected: [UInt8]) -> Bool {
        guard value.count == expected.count else { return false }
        for i in 0..<value.count where value[i] != expected[i] { return false }
        return true
    }

    /// FNV-1a, 64 bits, never 0 (0 marks a missing value).
    @inline(__always)
    static func hash(_ value: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in value { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h | 1
    }
}
