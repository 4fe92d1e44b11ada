/// A committed position and its metadata string.
public struct CommittedOffset: Equatable, Sendable {
    public var offset: Int64
    public var metadata: String?
    public init(offset: Int64, metadata: String? = nil) {
        self.offset = offset
        self.metadata = metadata
    }
}
