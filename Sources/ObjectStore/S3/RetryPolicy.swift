/// When and how long to wait before retrying a failed request: exponential
/// backoff with full jitter (AWS's recommendation: a random wait between 0
/// and min(cap, base * 2^attempt)), so that many clients hitting the same
/// throttled prefix spread out instead of retrying in lockstep.
public struct RetryPolicy: Sendable {
    /// Attempts in total, the first one included.
    public var maxAttempts: Int = 6
    public var baseDelayMillis: Int = 100
    public var maxDelayMillis: Int = 5_000

    public init(maxAttempts: Int = 6, baseDelayMillis: Int = 100, maxDelayMillis: Int = 5_000) {
        self.maxAttempts = maxAttempts
        self.baseDelayMillis = baseDelayMillis
        self.maxDelayMillis = maxDelayMillis
    }

    /// The wait before attempt `attempt + 1`, after `attempt` (1-based) failed.
    func delayMillis(afterAttempt attempt: Int) -> Int {
        let exponent = min(attempt - 1, 20)
        let ceiling = min(maxDelayMillis, baseDelayMillis << exponent)
        return ceiling <= 0 ? 0 : Int.random(in: 0...ceiling)
    }

    /// S3 answers worth retrying: server errors, throttling, and the
    /// request-timeout codes S3 returns with a 400.
    static func isRetryable(status: Int, code: String?) -> Bool {
        if status >= 500 || status == 429 { return true }
        switch code {
        case "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable",
             "Throttling", "ThrottlingException", "RequestLimitExceeded":
            return true
        default:
            return false
        }
    }
}
