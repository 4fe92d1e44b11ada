/// The organisation's week, in UTC: how busy employees are at each hour of
/// the week (1 = a weekday afternoon). `HabitTraffic` draws employee events
/// in proportion to it, so every user's logins and every workstation's
/// volume follow the same diurnal and weekly rhythm, and "an unusual hour"
/// means one where this is near zero.
enum WorkWeek {
    static let hourMs: Int64 = 3_600_000
    static let dayMs: Int64 = 86_400_000
    static let weekMs: Int64 = 7 * dayMs

    /// Hours 0…23 of a weekday: night, ramp up, office hours, evening.
    private static let weekdayHours: [Double] = [
        0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.3, 0.8, 1, 1, 1,
        1, 1, 1, 1, 1, 0.6, 0.3, 0.1, 0.1, 0.1, 0.1, 0.03,
    ]
    private static let saturdayHours: [Double] = (0..<24).map { (9...17).contains($0) ? 0.08 : 0.02 }
    private static let sundayHours: [Double] = (0..<24).map { (10...16).contains($0) ? 0.04 : 0.02 }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    static func weekday(_ t: Int64) -> Int {
        let day = t >= 0 ? t / dayMs : (t - dayMs + 1) / dayMs
        return Int(((day + 3) % 7 + 7) % 7)
    }

    /// Hour of the day, 0…23.
    static func hour(_ t: Int64) -> Int { Int(((t % dayMs) + dayMs) % dayMs / hourMs) }

    /// Midnight (UTC) of the day holding `t`.
    static func midnight(_ t: Int64) -> Int64 { t - ((t % dayMs) + dayMs) % dayMs }

    /// Employee activity at `t`, 0…1.
    static func activity(_ t: Int64) -> Double {
        switch weekday(t) {
        case 5: return saturdayHours[hour(t)]
        case 6: return sundayHours[hour(t)]
        default: return weekdayHours[hour(t)]
        }
    }
}
