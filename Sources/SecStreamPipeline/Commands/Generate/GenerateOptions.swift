/// What `secstream generate` was asked to do (strings validated by the runner).
public struct GenerateOptions {
    public var events: Int?
    public var duration: String?
    public var rate: Double = 0
    public var seed: UInt64 = 1
    public var start: String?
    public var span: String?
    public var scenarios: String?
    public var lateFraction: Double = 0
    public var maxLateness: String = "10s"
    public var malformedFraction: Double = 0
    public var truth: String?
    public var output = "-"

    public init() {}
}
