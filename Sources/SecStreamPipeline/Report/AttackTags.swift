/// MITRE ATT&CK from Sigma rule tags: `attack.t1110.001` is a technique,
/// `attack.credential-access` (or `attack.credential_access`) a tactic. The
/// names of the tactics and of the techniques the built-in pack uses are
/// here so the report reads offline; any other technique shows by its id.
enum AttackTags {
    enum Tag: Hashable {
        case tactic(String)      // canonical: "credential-access"
        case technique(String)   // canonical: "T1110.001"
    }

    static func parse(_ tag: String) -> Tag? {
        let lower = tag.lowercased()
        guard lower.hasPrefix("attack.") else { return nil }
        let rest = lower.dropFirst("attack.".count)
        if rest.first == "t", rest.dropFirst().first?.isNumber == true {
            return .technique(rest.uppercased())
        }
        let tactic = rest.replacingOccurrences(of: "_", with: "-")
        return tactics[tactic] != nil ? .tactic(tactic) : nil
    }

    static let tactics: [String: (id: String, name: String)] = [
        "reconnaissance": ("TA0043", "Reconnaissance"),
        "resource-development": ("TA0042", "Resource Development"),
        "initial-access": ("TA0001", "Initial Access"),
        "execution": ("TA0002", "Execution"),
        "persistence": ("TA0003", "Persistence"),
        "privilege-escalation": ("TA0004", "Privilege Escalation"),
        "defense-evasion": ("TA0005", "Defense Evasion"),
        "credential-access": ("TA0006", "Credential Access"),
        "discovery": ("TA0007", "Discovery"),
        "lateral-movement": ("TA0008", "Lateral Movement"),
        "collection": ("TA0009", "Collection"),
        "command-and-control": ("TA0011", "Command and Control"),
        "exfiltration": ("TA0010", "Exfiltration"),
        "impact": ("TA0040", "Impact"),
    ]

    static let techniques: [String: String] = [
        "T1018": "Remote System Discovery",
        "T1046": "Network Service Discovery",
        "T1048": "Exfiltration Over Alternative Protocol",
        "T1048.003": "Exfiltration Over Unencrypted Non-C2 Protocol",
        "T1071": "Application Layer Protocol",
        "T1071.004": "Application Layer Protocol: DNS",
        "T1078": "Valid Accounts",
        "T1110": "Brute Force",
        "T1110.001": "Brute Force: Password Guessing",
        "T1110.003": "Brute Force: Password Spraying",
        "T1110.004": "Brute Force: Credential Stuffing",
        "T1567": "Exfiltration Over Web Service",
        "T1595": "Active Scanning",
        "T1595.003": "Active Scanning: Wordlist Scanning",
    ]
}
