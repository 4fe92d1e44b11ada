/// `generate --profile`: what ordinary traffic looks like.
public enum TrafficProfile: String, CaseIterable, Sendable {
    /// The original background: every host equally busy at every hour, users
    /// and addresses drawn afresh per event. The default, byte-identical to
    /// earlier releases, and what the threshold scenarios are built against.
    case uniform
    /// Per-entity regularity a learned method can learn (`HabitTraffic`):
    /// each user logs in from a small stable set of addresses at working
    /// hours with a weekly rhythm, each workstation sends its own typical
    /// volume with a diurnal pattern. Needed by the learned scenarios.
    case habits

    public init(parsing text: String) throws {
        guard let p = TrafficProfile(rawValue: text.lowercased()) else {
            throw GeneratorError.invalidConfiguration("unknown profile '\(text)' (known: uniform, habits)")
        }
        self = p
    }
}

/// Attacks only a method that knows each entity's own history can catch: each
/// stays below every built-in threshold rule. They need `--profile habits`
/// (without habits there is no "usual" to depart from).
public enum LearnedScenario: String, CaseIterable, Sendable {
    /// Failed logins against one account, one every few minutes for hours:
    /// never 20 in a minute from one source, never 10 accounts from one
    /// source, but far above the account's own rate of mistyped passwords.
    case slowBruteForce = "slow-brute-force"
    /// A successful login for a user from an address never used for that
    /// user (an address in a documentation range, so in no one's history).
    case newSourceLogin = "new-source-login"
    /// A workstation sending about ten times its usual hourly volume in the
    /// small hours, well below the 500 MB exfiltration rule.
    case offHoursExfiltration = "off-hours-exfiltration"
}

/// The decoys of the learned scenarios, by the name written in the
/// `"decoy"` field of `--decoys`: look like an attack to a naive method, are
/// normal for the organisation.
public enum LearnedDecoy {
    /// A new hire: a user with no history whose first logins come from
    /// addresses never seen (written under `new-source-login`).
    public static let newUser = "new-user"
    /// A host's volume peak every Monday morning, about ten times its usual
    /// hour (written under `off-hours-exfiltration`).
    public static let mondayPeak = "monday-peak"
}

/// What `--scenarios` selected, over both kinds of scenario.
public struct ScenarioSelection: Equatable, Sendable {
    public var threshold: [Scenario] = []
    public var learned: [LearnedScenario] = []
    /// `all`: every scenario the profile supports (the threshold ones for
    /// `uniform`, both kinds for `habits`).
    public var all = false

    public init(threshold: [Scenario] = [], learned: [LearnedScenario] = [], all: Bool = false) {
        self.threshold = threshold
        self.learned = learned
        self.all = all
    }

    /// Comma-separated names of either kind, `all`, or `none`.
    public static func parse(_ text: String) throws -> ScenarioSelection {
        var s = ScenarioSelection()
        for part in text.split(separator: ",") {
            let name = String(part).trimmingCharacters(in: " ")
            if name == "all" { return ScenarioSelection(all: true) }
            if name == "none" { continue }
            if let t = Scenario(rawValue: name) {
                if !s.threshold.contains(t) { s.threshold.append(t) }
            } else if let l = LearnedScenario(rawValue: name) {
                if !s.learned.contains(l) { s.learned.append(l) }
            } else {
                let known = (Scenario.allCases.map(\.rawValue) + LearnedScenario.allCases.map(\.rawValue)).joined(separator: ", ")
                throw GeneratorError.invalidConfiguration("unknown scenario '\(name)' (known: \(known), all, none)")
            }
        }
        return s
    }

    /// The threshold and learned scenarios this selection means for `profile`.
    public func resolved(for profile: TrafficProfile) -> (threshold: [Scenario], learned: [LearnedScenario]) {
        guard all else { return (threshold, learned) }
        return (Scenario.allCases, profile == .habits ? LearnedScenario.allCases : [])
    }

    /// What a run without `--scenarios` injects: every threshold attack over
    /// uniform traffic; over habits, only the learned ones (a threshold
    /// attack's guessed accounts would be habit users, and its successful
    /// logins new sources for them).
    public static func defaults(for profile: TrafficProfile) -> (threshold: [Scenario], learned: [LearnedScenario]) {
        profile == .habits ? ([], LearnedScenario.allCases) : (Scenario.allCases, [])
    }
}

extension String {
    fileprivate func trimmingCharacters(in c: Character) -> String {
        String(drop(while: { $0 == c }).reversed().drop(while: { $0 == c }).reversed())
    }
}
