/// Writes one JSON object with ECS dotted field names, either nested
/// (`{"source":{"ip":"…"}}`) or flat (`{"source.ip":"…"}`): the engine must read
/// both, so the generator mixes them. Callers open groups in key order; in
/// flat mode a group only contributes its name as a key prefix.
///
/// Keys and constant values are `StaticString`s and nothing is allocated per
/// event: the prefix stack keeps its capacity between objects.
public struct JSONObjectWriter {
    public let out: OutputBuffer
    public var flat = false
    private var needComma = false
    private var prefixes: [StaticString] = []

    public init(out: OutputBuffer) {
        self.out = out
        prefixes.reserveCapacity(8)
    }

    public mutating func beginObject(flat: Bool) {
        self.flat = flat
        prefixes.removeAll(keepingCapacity: true)
        needComma = false
        out.byte(UInt8(ascii: "{"))
    }

    public mutating func endObject() {
        out.byte(UInt8(ascii: "}"))
    }

    /// Writes `"key":` (with the group prefixes when flat).
    @inline(__always)
    public mutating func key(_ k: StaticString) {
        if needComma { out.byte(UInt8(ascii: ",")) }
        out.byte(UInt8(ascii: "\""))
        if flat {
            for p in prefixes {
                out.append(p)
                out.byte(UInt8(ascii: "."))
            }
        }
        out.append(k)
        out.append("\":")
        needComma = true
    }

    @inline(__always)
    public mutating func beginGroup(_ k: StaticString) {
        if !flat {
            key(k)
            out.byte(UInt8(ascii: "{"))
            needComma = false
        }
        prefixes.append(k)
    }

    @inline(__always)
    public mutating func endGroup() {
        prefixes.removeLast()
        if !flat { out.byte(UInt8(ascii: "}")) }
        needComma = true
    }

    /// `beginGroup(k)`, the fields `body` writes, `endGroup()`.
    @inline(__always)
    public mutating func group(_ k: StaticString, _ body: (inout JSONObjectWriter) -> Void) {
        beginGroup(k)
        body(&self)
        endGroup()
    }

    // MARK: fields

    @inline(__always)
    public mutating func string(_ k: StaticString, _ v: StaticString) {
        composed(k) { $0.append(v) }
    }

    @inline(__always)
    public mutating func number(_ k: StaticString, _ v: Int64) {
        key(k)
        out.decimal(v)
    }

    @inline(__always)
    public mutating func ip(_ k: StaticString, _ v: UInt32) {
        composed(k) { $0.ipv4(v) }
    }

    @inline(__always)
    public mutating func timestamp(_ k: StaticString, _ ms: Int64) {
        composed(k) { RFC3339.write(ms, to: $0) }
    }

    /// A string value written by `body` straight into the output (names built
    /// from parts). `body` must write JSON-safe bytes (no quote, backslash or
    /// control character); every generator vocabulary is.
    @inline(__always)
    public mutating func composed(_ k: StaticString, _ body: (OutputBuffer) -> Void) {
        key(k)
        out.byte(UInt8(ascii: "\""))
        body(out)
        out.byte(UInt8(ascii: "\""))
    }
}
