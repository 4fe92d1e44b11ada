/// The numbers shared by the built-in rule pack (`rules/*.yml`) and the
/// generator's attacks and decoys. The rules are YAML and the generator is
/// Swift, so this file is the single place both are written against;
/// `RulePackTests` parses the YAML and checks it agrees with these values.
public enum ScenarioConstants {
    /// Correlation rule ids (the Sigma `id` of each correlation in `rules/`).
    public enum RuleID {
        public static let bruteForce = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a01"
        public static let passwordSpray = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a02"
        public static let portScan = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a03"
        public static let hostSweep = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a04"
        public static let exfiltration = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a05"
        public static let webScan = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a06"
        public static let dnsTunnel = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a07"
        public static let bruteForceSuccess = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a08"
        /// The brute-force condition as the first step of brute-force-success;
        /// it writes no alerts of its own (only brute_force_success consumes it).
        public static let bruteForcePrecursor = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a09"
    }

    /// brute-force: failed logins per `source.ip`, 1-minute tumbling, `gte`.
    public static let bruteForceFailures = 20
    public static let bruteForceSpanMs: Int64 = 60_000

    /// password-spray: distinct `user.name` on failed logins per `source.ip`, sliding, `gte`.
    public static let sprayDistinctUsers = 10
    public static let spraySpanMs: Int64 = 300_000

    /// port-scan: distinct `destination.port` per `source.ip`, 1-minute tumbling, `gte`.
    public static let portScanDistinctPorts = 50
    public static let portScanSpanMs: Int64 = 60_000

    /// host-sweep: distinct internal `destination.ip` per `source.ip`, sliding, `gte`.
    public static let hostSweepDistinctHosts = 30
    public static let hostSweepSpanMs: Int64 = 300_000

    /// exfiltration: sum of `source.bytes` sent outside the private ranges, sliding, `gte`.
    public static let exfiltrationBytes: Int64 = 500_000_000
    public static let exfiltrationSpanMs: Int64 = 900_000

    /// web-scan: distinct `url.path` answered 4xx per `source.ip`, sliding, `gte`.
    public static let webScanDistinctPaths = 40
    public static let webScanSpanMs: Int64 = 120_000

    /// dns-tunnel: distinct long-label `dns.question.name` per `source.ip`, sliding, `gte`.
    public static let dnsTunnelDistinctNames = 30
    public static let dnsTunnelSpanMs: Int64 = 300_000
    /// The detection rule's regex asks for a first label of at least this many
    /// characters; background names always stay shorter.
    public static let dnsTunnelMinLabel = 32

    /// brute-force-success: the brute-force correlation, then a successful
    /// login from the same `source.ip`, in this order within this span.
    public static let bruteForceSuccessSpanMs: Int64 = 300_000
}
