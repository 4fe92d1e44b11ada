import Foundation
import SecStreamCore

/// `--geoip FILE.mmdb` (repeatable): adds `source.geo.*`, `source.as.*` and
/// the same for `destination.*` to each event that has `source.ip` /
/// `destination.ip` (through the `--field-map` when the run has one), before
/// detection, so rules and the archive see them. Read-only, shared by every
/// worker; each scan job keeps its own `GeoIPWorkspace` (lookup cache and
/// the buffer the enriched lines are written to).
package final class GeoIPEnricher: @unchecked Sendable {
    /// One side of a connection: `source` or `destination`.
    struct Side {
        /// `source` / `destination`: the prefix of the fields added.
        let prefix: String
        /// The event fields holding the address, first present wins.
        let addressFields: [FieldID]
        /// Fields whose presence says the side is enriched already (an
        /// archived line replayed with `--geoip`): nothing is added then.
        let enrichedFields: [FieldID]
    }

    let databases: GeoIPDatabases
    let sides: [Side]

    /// Opens the databases and interns the fields it reads into `schema`
    /// (before the run's scanner is built from it).
    package init(databases: GeoIPDatabases, schema: FieldSchema, fieldMap: FieldMap = FieldMap()) {
        self.databases = databases
        sides = ["source", "destination"].map { prefix in
            Side(prefix: prefix,
                 addressFields: fieldMap.eventFields(for: prefix + ".ip").map { schema.intern($0) },
                 enrichedFields: [schema.intern(prefix + ".geo.country_iso_code"), schema.intern(prefix + ".as.number")])
        }
    }

    /// The run's enricher: nil without `--geoip`. A database that cannot be
    /// opened (or a field map that cannot be read) is a usage error (exit 2).
    package static func open(_ options: RulesConfiguration, rules: RuleSet) throws -> GeoIPEnricher? {
        guard !options.geoip.isEmpty else { return nil }
        do {
            let databases = try GeoIPDatabases(paths: options.geoip)
            let fieldMap = try options.fieldMap.map { try FieldMap.load(path: $0) } ?? FieldMap()
            return GeoIPEnricher(databases: databases, schema: rules.schema, fieldMap: fieldMap)
        } catch {
            throw RunError(.usage, "\(error)")
        }
    }

    /// The JSON members added for a side (`,"source.geo.country_iso_code":"GB",...`),
    /// each preceded by a comma; empty when the record has nothing.
    static func members(prefix: String, _ r: GeoIPRecord) -> [UInt8] {
        var out: [UInt8] = []
        func key(_ name: String) {
            out += Array(",\"\(prefix).\(name)\":".utf8)
        }
        func string(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            JSONEscaping.appendQuoted(value, to: &out)
        }
        func number(_ name: String, _ text: String?) {
            guard let text else { return }
            key(name)
            out += Array(text.utf8)
        }
        string("geo.country_iso_code", r.countryISOCode)
        string("geo.city_name", r.cityName)
        number("geo.location.lat", r.latitude.map { "\($0)" })
        number("geo.location.lon", r.longitude.map { "\($0)" })
        number("as.number", r.asNumber.map { "\($0)" })
        string("as.organization.name", r.asOrganization)
        return out
    }
}

/// JSON string quoting for the values the enricher writes.
enum JSONEscaping {
    static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let hex = Array("0123456789abcdef".utf8)
        for b in value.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// One scan job's GeoIP state: the members found per address (the same
/// addresses repeat, so each is looked up once per job object) and the
/// buffer its enriched lines are written to. Used by one worker at a time.
final class GeoIPWorkspace {
    let enricher: GeoIPEnricher
    /// Per side, the members to add for an address (empty: not in the databases).
    private var cache: [[[UInt8]: [UInt8]]]
    static let cacheLimit = 65_536
    /// The enriched lines of the current job, back to back; a `LineRef`'s
    /// `enrichedStart` is an offset in here. Grown by reallocation, so only
    /// offsets are kept, never pointers, across lines.
    private(set) var base: UnsafeMutableRawPointer
    private(set) var count = 0
    private var capacity: Int

    init(enricher: GeoIPEnricher) {
        self.enricher = enricher
        cache = Array(repeating: [:], count: enricher.sides.count)
        capacity = 64 * 1024
        base = .allocate(byteCount: capacity, alignment: 1)
    }

    deinit { base.deallocate() }

    func reset() { count = 0 }

    /// The enriched bytes `start..<start+length`.
    @inline(__always)
    func bytes(_ start: Int, _ length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + start, count: length)
    }

    private func members(side: Int, address: UnsafeRawBufferPointer) -> [UInt8] {
        let key = Array(address)
        if let hit = cache[side][key] { return hit }
        let text = String(decoding: address, as: UTF8.self)
        let members = enricher.databases.lookup(text).map { GeoIPEnricher.members(prefix: enricher.sides[side].prefix, $0) } ?? []
        if cache[side].count >= Self.cacheLimit { cache[side].removeAll(keepingCapacity: true) }
        cache[side][key] = members
        return members
    }

    /// Writes `line` with the GeoIP members of its addresses inserted before
    /// its closing `}`, returning where (nil: nothing to add; the line stays as read).
    func enrich(_ line: UnsafeRawBufferPointer, slots: UnsafeMutableBufferPointer<FieldSlot>) -> (start: Int, length: Int)? {
        var added: [UInt8] = []
        for (i, side) in enricher.sides.enumerated() {
            if side.enrichedFields.contains(where: { slots[$0].kind != .missing }) { continue }
            guard let field = side.addressFields.first(where: { slots[$0].kind != .missing }) else { continue }
            let slot = slots[field]
            // An address is a plain string (no escapes) of at most 64 bytes (IPv6 with a zone).
            guard slot.kind == .string, slot.count > 0, slot.count <= 64 else { continue }
            added += members(side: i, address: UnsafeRawBufferPointer(rebasing: line[Int(slot.start)..<Int(slot.end)]))
        }
        guard !added.isEmpty else { return nil }
        // The scan succeeded, so the line is an object: its last byte other
        // than trailing whitespace is the closing brace.
        var close = line.count - 1
        while close > 0, line[close] == 0x20 || line[close] == 0x09 || line[close] == 0x0D || line[close] == 0x0A { close -= 1 }
        guard close > 0, line[close] == UInt8(ascii: "}") else { return nil }
        // `{}` has no members to follow: drop the leading comma.
        var inner = close - 1
        while inner > 0, line[inner] == 0x20 || line[inner] == 0x09 || line[inner] == 0x0D || line[inner] == 0x0A { inner -= 1 }
        if line[inner] == UInt8(ascii: "{") { added.removeFirst() }
        let length = close + added.count + 1
        reserve(length)
        let start = count
        let out = base + start
        out.copyMemory(from: line.baseAddress!, byteCount: close)
        added.withUnsafeBytes { (out + close).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        out.storeBytes(of: UInt8(ascii: "}"), toByteOffset: close + added.count, as: UInt8.self)
        count += length
        return (start, length)
    }

    private func reserve(_ more: Int) {
        guard count + more > capacity else { return }
        var next = capacity * 2
        while next < count + more { next *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: next, alignment: 1)
        grown.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = grown
        capacity = next
    }
}
