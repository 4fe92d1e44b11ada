/// Kafka protocol error codes this client distinguishes (others keep their number).
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    init(_ v: Int16) { rawValue = v }

    public static let none = ErrorCode(0)
    public static let offsetOutOfRange = ErrorCode(1)
    public static let corruptMessage = ErrorCode(2)
    public static let unknownTopicOrPartition = ErrorCode(3)
    public static let leaderNotAvailable = ErrorCode(5)
    public static let notLeaderOrFollower = ErrorCode(6)
    public static let requestTimedOut = ErrorCode(7)
    public static let messageTooLarge = ErrorCode(10)
    public static let networkException = ErrorCode(13)
    public static let coordinatorLoadInProgress = ErrorCode(14)
    public static let coordinatorNotAvailable = ErrorCode(15)
    public static let notCoordinator = ErrorCode(16)
    public static let notEnoughReplicas = ErrorCode(19)
    public static let notEnoughReplicasAfterAppend = ErrorCode(20)
    public static let illegalGeneration = ErrorCode(22)
    public static let inconsistentGroupProtocol = ErrorCode(23)
    public static let unknownMemberId = ErrorCode(25)
    public static let invalidSessionTimeout = ErrorCode(26)
    public static let rebalanceInProgress = ErrorCode(27)
    public static let topicAuthorizationFailed = ErrorCode(29)
    public static let groupAuthorizationFailed = ErrorCode(30)
    public static let unsupportedSaslMechanism = ErrorCode(33)
    public static let illegalSaslState = ErrorCode(34)
    public static let unsupportedVersion = ErrorCode(35)
    public static let topicAlreadyExists = ErrorCode(36)
    public static let outOfOrderSequenceNumber = ErrorCode(45)
    public static let duplicateSequenceNumber = ErrorCode(46)
    public static let invalidProducerEpoch = ErrorCode(47)
    public static let saslAuthenticationFailed = ErrorCode(58)
    public static let unknownProducerId = ErrorCode(59)
    public static let kafkaStorageError = ErrorCode(56)
    public static let fencedLeaderEpoch = ErrorCode(74)
    public static let unknownLeaderEpoch = ErrorCode(75)
    public static let offsetNotAvailable = ErrorCode(78)
    public static let memberIdRequired = ErrorCode(79)
    public static let preferredLeaderNotAvailable = ErrorCode(80)
    public static let fencedInstanceId = ErrorCode(82)
    public static let unstableOffsetCommit = ErrorCode(88)

    public var isRetriable: Bool {
        switch self {
        case .corruptMessage, .unknownTopicOrPartition, .leaderNotAvailable, .notLeaderOrFollower,
             .requestTimedOut, .networkException, .coordinatorLoadInProgress, .coordinatorNotAvailable,
             .notCoordinator, .notEnoughReplicas, .notEnoughReplicasAfterAppend, .kafkaStorageError,
             .fencedLeaderEpoch, .unknownLeaderEpoch, .offsetNotAvailable, .preferredLeaderNotAvailable,
             .unstableOffsetCommit, .rebalanceInProgress:
            return true
        default:
            return false
        }
    }

    /// True when the client's view of partition leadership is stale.
    public var needsMetadataRefresh: Bool {
        switch self {
        case .unknownTopicOrPartition, .leaderNotAvailable, .notLeaderOrFollower, .fencedLeaderEpoch,
             .unknownLeaderEpoch, .networkException, .kafkaStorageError, .notCoordinator, .coordinatorNotAvailable:
            return true
        default:
            return false
        }
    }

    public var name: String {
        switch self {
        case .none: return "NONE"
        case .offsetOutOfRange: return "OFFSET_OUT_OF_RANGE"
        case .corruptMessage: return "CORRUPT_MESSAGE"
        case .unknownTopicOrPartition: return "UNKNOWN_TOPIC_OR_PARTITION"
        case .leaderNotAvailable: return "LEADER_NOT_AVAILABLE"
        case .notLeaderOrFollower: return "NOT_LEADER_OR_FOLLOWER"
        case .requestTimedOut: return "REQUEST_TIMED_OUT"
        case .messageTooLarge: return "MESSAGE_TOO_LARGE"
        case .networkException: return "NETWORK_EXCEPTION"
        case .coordinatorLoadInProgress: return "COORDINATOR_LOAD_IN_PROGRESS"
        case .coordinatorNotAvailable: return "COORDINATOR_NOT_AVAILABLE"
        case .notCoordinator: return "NOT_COORDINATOR"
        case .notEnoughReplicas: return "NOT_ENOUGH_REPLICAS"
        case .notEnoughReplicasAfterAppend: return "NOT_ENOUGH_REPLICAS_AFTER_APPEND"
        case .illegalGeneration: return "ILLEGAL_GENERATION"
        case .inconsistentGroupProtocol: return "INCONSISTENT_GROUP_PROTOCOL"
        case .unknownMemberId: return "UNKNOWN_MEMBER_ID"
        case .invalidSessionTimeout: return "INVALID_SESSION_TIMEOUT"
        case .rebalanceInProgress: return "REBALANCE_IN_PROGRESS"
        case .topicAuthorizationFailed: return "TOPIC_AUTHORIZATION_FAILED"
        case .groupAuthorizationFailed: return "GROUP_AUTHORIZATION_FAILED"
        case .unsupportedSaslMechanism: return "UNSUPPORTED_SASL_MECHANISM"
        case .illegalSaslState: return "ILLEGAL_SASL_STATE"
        case .unsupportedVersion: return "UNSUPPORTED_VERSION"
        case .topicAlreadyExists: return "TOPIC_ALREADY_EXISTS"
        case .outOfOrderSequenceNumber: return "OUT_OF_ORDER_SEQUENCE_NUMBER"
        case .duplicateSequenceNumber: return "DUPLICATE_SEQUENCE_NUMBER"
        case .invalidProducerEpoch: return "INVALID_PRODUCER_EPOCH"
        case .saslAuthenticationFailed: return "SASL_AUTHENTICATION_FAILED"
        case .unknownProducerId: return "UNKNOWN_PRODUCER_ID"
        case .kafkaStorageError: return "KAFKA_STORAGE_ERROR"
        case .fencedLeaderEpoch: return "FENCED_LEADER_EPOCH"
        case .unknownLeaderEpoch: return "UNKNOWN_LEADER_EPOCH"
        case .offsetNotAvailable: return "OFFSET_NOT_AVAILABLE"
        case .memberIdRequired: return "MEMBER_ID_REQUIRED"
        case .preferredLeaderNotAvailable: return "PREFERRED_LEADER_NOT_AVAILABLE"
        case .fencedInstanceId: return "FENCED_INSTANCE_ID"
        case .unstableOffsetCommit: return "UNSTABLE_OFFSET_COMMIT"
        default: return "ERROR_\(rawValue)"
        }
    }

    public var description: String { name }
}
