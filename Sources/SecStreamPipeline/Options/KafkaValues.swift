import Kafka

/// A SASL mechanism (`--sasl-mechanism`): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
public enum KafkaSASLMechanism: String, CaseIterable, Sendable {
    case plain = "PLAIN"
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA512 = "SCRAM-SHA-512"

    /// A mechanism's name, any case.
    public init(parsing text: String) throws {
        guard let mechanism = KafkaSASLMechanism(rawValue: text.uppercased()) else {
            throw OptionValueError(text, "not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
        }
        self = mechanism
    }

    var mechanism: SASLMechanism {
        switch self {
        case .plain: return .plain
        case .scramSHA256: return .scramSHA256
        case .scramSHA512: return .scramSHA512
        }
    }
}

/// How many replicas acknowledge a produced batch (`ingest --acks`): `all`
/// (also `-1`; the producer is then idempotent), `1` (the leader) or `0` (none).
public enum KafkaAcks: String, CaseIterable, Sendable {
    case all
    case leader = "1"
    case none = "0"

    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "all", "-1": self = .all
        case "1": self = .leader
        case "0": self = .none
        default: throw OptionValueError(text, "not all, 1 or 0")
        }
    }

    /// The `acks` field of a Produce request.
    public var wireValue: Int16 {
        switch self {
        case .all: return -1
        case .leader: return 1
        case .none: return 0
        }
    }
}
