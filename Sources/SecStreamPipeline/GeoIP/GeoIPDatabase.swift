import CMaxMindDB
import Foundation

/// What a MaxMind database knows about one address: the City database's
/// country, city and location, the ASN database's number and organisation.
/// Fields a database does not have for the address are nil.
package struct GeoIPRecord: Equatable, Sendable {
    package var countryISOCode: String?
    package var cityName: String?
    package var latitude: Double?
    package var longitude: Double?
    package var asNumber: UInt32?
    package var asOrganization: String?

    package init(countryISOCode: String? = nil, cityName: String? = nil, latitude: Double? = nil, longitude: Double? = nil,
                 asNumber: UInt32? = nil, asOrganization: String? = nil) {
        self.countryISOCode = countryISOCode
        self.cityName = cityName
        self.latitude = latitude
        self.longitude = longitude
        self.asNumber = asNumber
        self.asOrganization = asOrganization
    }

    package var isEmpty: Bool {
        countryISOCode == nil && cityName == nil && latitude == nil && longitude == nil && asNumber == nil && asOrganization == nil
    }

    /// Fills the fields still nil from `other` (a second database).
    mutating func merge(_ other: GeoIPRecord) {
        countryISOCode = countryISOCode ?? other.countryISOCode
        cityName = cityName ?? other.cityName
        latitude = latitude ?? other.latitude
        longitude = longitude ?? other.longitude
        asNumber = asNumber ?? other.asNumber
        asOrganization = asOrganization ?? other.asOrganization
    }
}

/// An error opening a `--geoip` database: its path and libmaxminddb's reason.
package struct GeoIPError: Error, CustomStringConvertible {
    package let path: String
    package let reason: String
    package var description: String { "--geoip \(path): \(reason)" }
}

/// One MaxMind DB file (GeoIP2/GeoLite2 City, Country or ASN), memory-mapped
/// by libmaxminddb. Lookups only read the mapping, so one database serves
/// every worker thread at once.
package final class GeoIPDatabase: @unchecked Sendable {
    package let path: String
    private let mmdb: UnsafeMutablePointer<MMDB_s>

    package init(path: String) throws {
        // Opened before any stored property is set: a failed init must not run deinit (MMDB_close).
        let db = UnsafeMutablePointer<MMDB_s>.allocate(capacity: 1)
        db.initialize(to: MMDB_s())
        let status = MMDB_open(path, UInt32(MMDB_MODE_MMAP), db)
        guard status == MMDB_SUCCESS else {
            let why = errno
            var reason = String(cString: MMDB_strerror(status))
            if status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR, why != 0 { reason += " (\(String(cString: strerror(why))))" }
            db.deinitialize(count: 1)
            db.deallocate()
            throw GeoIPError(path: path, reason: "cannot open MaxMind database: \(reason)")
        }
        self.path = path
        mmdb = db
    }

    deinit {
        MMDB_close(mmdb)
        mmdb.deinitialize(count: 1)
        mmdb.deallocate()
    }

    /// The database's type, e.g. `GeoIP2-City` or `GeoLite2-ASN`.
    package var databaseType: String {
        guard let t = mmdb.pointee.metadata.database_type else { return "" }
        return String(cString: t)
    }

    /// The record for `address` (IPv4 or IPv6 text), or nil when the address
    /// does not parse or the database has no entry for it.
    package func lookup(_ address: String) -> GeoIPRecord? {
        var gaiError: Int32 = 0
        var mmdbError: Int32 = 0
        var result = MMDB_lookup_string(mmdb, address, &gaiError, &mmdbError)
        guard gaiError == 0, mmdbError == MMDB_SUCCESS, result.found_entry else { return nil }
        var record = GeoIPRecord()
        record.countryISOCode = string(&result.entry, ["country", "iso_code"])
        record.cityName = string(&result.entry, ["city", "names", "en"])
        record.latitude = double(&result.entry, ["location", "latitude"])
        record.longitude = double(&result.entry, ["location", "longitude"])
        record.asNumber = unsigned(&result.entry, ["autonomous_system_number"])
        record.asOrganization = string(&result.entry, ["autonomous_system_organization"])
        return record.isEmpty ? nil : record
    }

    /// `MMDB_aget_value` with a NULL-terminated path (the variadic
    /// `MMDB_get_value` cannot be called from Swift).
    private func value(_ entry: inout MMDB_entry_s, _ path: [String]) -> MMDB_entry_data_s? {
        var data = MMDB_entry_data_s()
        let cStrings = path.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) } + [nil]
        let status = pointers.withUnsafeMutableBufferPointer { MMDB_aget_value(&entry, &data, $0.baseAddress) }
        guard status == MMDB_SUCCESS, data.has_data else { return nil }
        return data
    }

    private func string(_ entry: inout MMDB_entry_s, _ path: [String]) -> String? {
        guard let data = value(&entry, path), data.type == UInt32(MMDB_DATA_TYPE_UTF8_STRING),
              let bytes = data.utf8_string else { return nil }
        let text = bytes.withMemoryRebound(to: UInt8.self, capacity: Int(data.data_size)) {
            String(decoding: UnsafeBufferPointer(start: $0, count: Int(data.data_size)), as: UTF8.self)
        }
        return text.isEmpty ? nil : text
    }

    private func double(_ entry: inout MMDB_entry_s, _ path: [String]) -> Double? {
        guard let data = value(&entry, path) else { return nil }
        switch Int32(data.type) {
        case MMDB_DATA_TYPE_DOUBLE: return data.double_value.isFinite ? data.double_value : nil
        case MMDB_DATA_TYPE_FLOAT: return data.float_value.isFinite ? Double(data.float_value) : nil
        default: return nil
        }
    }

    private func unsigned(_ entry: inout MMDB_entry_s, _ path: [String]) -> UInt32? {
        guard let data = value(&entry, path) else { return nil }
        switch Int32(data.type) {
        case MMDB_DATA_TYPE_UINT32: return data.uint32
        case MMDB_DATA_TYPE_UINT16: return UInt32(data.uint16)
        default: return nil
        }
    }
}

/// The `--geoip` databases of a run (a City and an ASN database, say),
/// asked in order: each fills the fields the earlier ones left empty.
package final class GeoIPDatabases: @unchecked Sendable {
    package let databases: [GeoIPDatabase]

    package init(paths: [String]) throws {
        databases = try paths.map { try GeoIPDatabase(path: $0) }
    }

    package func lookup(_ address: String) -> GeoIPRecord? {
        var merged: GeoIPRecord?
        for db in databases {
            guard let r = db.lookup(address) else { continue }
            if merged == nil { merged = r } else { merged!.merge(r) }
        }
        return merged
    }
}
