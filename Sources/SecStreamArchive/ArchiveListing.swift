import ObjectStore
import SecStreamCore

/// One archive object chosen for reading.
public struct ArchiveObject: Equatable {
    public let key: String
    public let hour: Int64
    public let size: Int
}

/// Lists the archive objects whose hour overlaps `[from, to)`, reading only
/// the `dt=` and `hour=` prefixes in range (partition pruning): the days are
/// listed with a delimiter, each day in range is listed whole or, at the
/// edges of the range, hour by hour. Objects come back ordered by hour, then
/// by name — the order replay and query read them in.
public enum ArchiveListing {
    public static func objects(in store: ObjectStore, from: Int64?, to: Int64?) throws -> [ArchiveObject] {
        let firstHour = from.map(ArchiveLayout.hour(of:))
        let lastHour = to.map { ArchiveLayout.hour(of: $0 - 1) }  // `to` is exclusive
        func inRange(_ hour: Int64) -> Bool {
            (firstHour.map { hour >= $0 } ?? true) && (lastHour.map { hour <= $0 } ?? true)
        }
        var found: [ArchiveObject] = []
        func collect(_ prefix: String) throws {
            for object in try store.listAll(prefix: prefix).objects {
                guard ArchiveLayout.codec(ofKey: object.key) != nil,
                      let hour = ArchiveLayout.hour(ofKey: Substring(object.key)), inRange(hour) else { continue }
                found.append(ArchiveObject(key: object.key, hour: hour, size: object.size))
            }
        }
        let days = try store.listAll(prefix: "dt=", delimiter: "/").commonPrefixes
        for day in days {
            guard day.count == 14, let midnight = EventTime.parseCLITime(String(day.dropFirst(3).prefix(10))) else { continue }
            let dayFirst = midnight / ArchiveLayout.hourMs
            let dayLast = dayFirst + 23
            if let lastHour, dayFirst > lastHour { continue }
            if let firstHour, dayLast < firstHour { continue }
            if inRange(dayFirst) && inRange(dayLast) {
                try collect(day)
                continue
            }
            for hourPrefix in try store.listAll(prefix: day, delimiter: "/").commonPrefixes {
                if let hour = ArchiveLayout.hour(ofKey: Substring(hourPrefix + "x")), inRange(hour) {
                    try collect(hourPrefix)
                }
            }
        }
        found.sort { $0.hour != $1.hour ? $0.hour < $1.hour : $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return found
    }
}
