/// Server-side encryption of archive objects (`--archive-sse`).
public enum ArchiveSSE: String, CaseIterable, Sendable {
    case aes256 = "AES256"
    case kms = "aws:kms"

    /// `AES256` or `aws:kms`, as S3 spells them.
    public init(parsing text: String) throws {
        guard let sse = ArchiveSSE(rawValue: text) else { throw OptionValueError(text, "not AES256 or aws:kms") }
        self = sse
    }
}
