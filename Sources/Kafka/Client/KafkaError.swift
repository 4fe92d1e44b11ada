/// Every failure the Kafka library reports. Messages are one line and name
/// the broker, topic, partition or offset involved.
public enum KafkaError: Error, CustomStringConvertible, Equatable {
    /// Malformed bytes from the broker (or a fuzzer).
    case decode(String)
    /// Socket, TLS or DNS failure talking to a broker.
    case connection(String)
    /// A broker returned a Kafka error code.
    case broker(code: ErrorCode, context: String)
    /// Bad configuration or API misuse.
    case config(String)
    /// SASL/TLS authentication failure.
    case authentication(String)
    /// An operation gave up after its deadline.
    case timeout(String)
    /// A compressed batch could not be (de)compressed.
    case compression(String)
    /// The client was closed.
    case closed
    /// The caller's `interrupt` check asked a blocking call to return (e.g. a
    /// stop signal while a group rebalance keeps going round).
    case interrupted

    public var description: String {
        switch self {
        case .decode(let m): return "kafka decode error: \(m)"
        case .connection(let m): return "kafka connection error: \(m)"
        case .broker(let code, let ctx): return "kafka error \(code.name) (\(code.rawValue)): \(ctx)"
        case .config(let m): return "kafka config error: \(m)"
        case .authentication(let m): return "kafka authentication failed: \(m)"
        case .timeout(let m): return "kafka timeout: \(m)"
        case .compression(let m): return "kafka compression error: \(m)"
        case .closed: return "kafka client closed"
        case .interrupted: return "kafka call interrupted"
        }
    }

    /// True when retrying the same operation later can succeed.
    public var isRetriable: Bool {
        switch self {
        case .connection, .timeout: return true
        case .broker(let code, _): return code.isRetriable
        default: return false
        }
    }
}
