/// One job's event feature rows (see `EventFeatureExtractor`), filled by its
/// worker and read by the engine thread in line order: flat arrays, reused
/// job after job, so nothing is allocated per event.
public struct EventFeatureRows: Sendable {
    /// Cells per row (the spec's feature count).
    public let stride: Int
    /// The job line each row came from, ascending.
    public private(set) var lines: [Int32] = []
    /// Row `r`'s group value is `groupBytes[groupStarts[r]..<groupStarts[r + 1]]`.
    public private(set) var groupStarts: [Int] = [0]
    public private(set) var groupBytes: [UInt8] = []
    /// Row `r`'s group value hashed (FNV-1a, 64 bits) on the worker, so the
    /// engine thread finds the group's window without hashing the bytes again.
    public private(set) var groupHashes: [UInt64] = []
    public internal(set) var cells: [UInt64] = []

    public init(stride: Int) { self.stride = stride }

    public var count: Int { lines.count }

    /// Row `r` alone (an event held by the future gate keeps its row until
    /// the engine admits it, after its job's rows are gone).
    public func extracting(row r: Int) -> EventFeatureRows {
        var one = EventFeatureRows(stride: stride)
        one.lines = [lines[r]]
        one.groupBytes = Array(groupBytes[groupStarts[r]..<groupStarts[r + 1]])
        one.groupStarts = [0, one.groupBytes.count]
        one.groupHashes = [groupHashes[r]]
        one.cells = Array(cells[(r * stride)..<((r + 1) * stride)])
        return one
    }

    public mutating func removeAll() {
        lines.removeAll(keepingCapacity: true)
        groupStarts.removeAll(keepingCapacity: true)
        groupStarts.append(0)
        groupBytes.removeAll(keepingCapacity: true)
        groupHashes.removeAll(keepingCapacity: true)
        cells.removeAll(keepingCapacity: true)
    }

    /// The last row's cell `column` is 1: the event matched the rule of that
    /// (`ruleMatches`) feature.
    @inline(__always)
    public mutating func markRuleMatch(column: Int) {
        cells[cells.count - stride + column] = 1
    }

    @inline(__always)
    mutating func startRow(line: Int, group: UnsafeRawBufferPointer) {
        lines.append(Int32(line))
        groupBytes.append(contentsOf: group)
        groupHashes.append(EventFeatureExtractor.hash(group))
        groupStarts.append(groupBytes.count)
    }
}
