import CRE2

/// A compiled RE2 pattern that reports where it matches. RE2 runs in time
/// linear in the text for every pattern it accepts, so a user's pattern
/// cannot stall a run. Shared by threads (RE2 matching is thread-safe).
final class Regex: @unchecked Sendable {
    private let regex: OpaquePointer

    /// Why RE2 rejected a pattern.
    struct Rejection: Error { let message: String }

    static func compile(_ pattern: String) -> Result<Regex, Rejection> {
        var error = cre2_error()
        let compiled = pattern.utf8CString.withUnsafeBufferPointer { cre2_compile($0.baseAddress, $0.count - 1, 0, &error) }
        guard let compiled else {
            let message = withUnsafeBytes(of: &error.message) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            return .failure(Rejection(message: message))
        }
        return .success(Regex(compiled))
    }

    private init(_ regex: OpaquePointer) { self.regex = regex }
    deinit { cre2_free(regex) }

    /// The leftmost match at or after `start`.
    func find(in text: UnsafeRawBufferPointer, from start: Int) -> Range<Int>? {
        var begin = 0, end = 0
        guard cre2_find(regex, text.baseAddress, text.count, start, &begin, &end) else { return nil }
        return begin..<end
    }
}
