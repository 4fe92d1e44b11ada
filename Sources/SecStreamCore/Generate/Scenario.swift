/// The attacks `generate` can inject, by their command-line names.
public enum Scenario: String, CaseIterable, Sendable {
    case bruteForce = "brute-force"
    case passwordSpray = "password-spray"
    case portScan = "port-scan"
    case hostSweep = "host-sweep"
    case exfiltration = "exfiltration"
    case webScan = "web-scan"
    case dnsTunnel = "dns-tunnel"
    case bruteForceSuccess = "brute-force-success"

    /// The correlation rule of the built-in pack that must catch it.
    public var ruleID: String {
        typealias R = ScenarioConstants.RuleID
        switch self {
        case .bruteForce: return R.bruteForce
        case .passwordSpray: return R.passwordSpray
        case .portScan: return R.portScan
        case .hostSweep: return R.hostSweep
        case .exfiltration: return R.exfiltration
        case .webScan: return R.webScan
        case .dnsTunnel: return R.dnsTunnel
        case .bruteForceSuccess: return R.bruteForceSuccess
        }
    }

    /// Parses `--scenarios`: comma-separated names, `all`, or `none`.
    public static func parseList(_ text: String) throws -> [Scenario] {
        var result: [Scenario] = []
        for part in text.split(separator: ",") {
            let name = part.trimmingWhitespace()
            if name == "all" { return Scenario.allCases }
            if name == "none" { continue }
            guard let s = Scenario(rawValue: name) else {
                let known = Scenario.allCases.map(\.rawValue).joined(separator: ", ")
                throw GeneratorError.invalidConfiguration("unknown scenario '\(name)' (known: \(known), all, none)")
            }
            if !result.contains(s) { result.append(s) }
        }
        return result
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

public enum GeneratorError: Error, CustomStringConvertible, Equatable {
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let m): return "generate: \(m)"
        }
    }
}
