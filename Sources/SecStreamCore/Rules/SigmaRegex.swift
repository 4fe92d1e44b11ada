import CRE2

/// A compiled `|re` pattern, run by RE2.
///
/// A backtracking engine (ICU's NSRegularExpression, PCRE) takes time
/// exponential in the value for patterns such as `^(a+)+$`, and rule values
/// and event values are both written by someone else: one rule and one
/// 30-byte value stalled a worker for seconds (ReDoS). RE2 runs in time linear
/// in the value for every pattern it accepts, and rejects the constructs that
/// cannot run that way (`RegexRejection` sorts those out).
///
/// Semantics are Sigma's (PCRE's) flavor: a search anywhere in the value,
/// case-sensitive unless `i`; `.` matches anything but `\n` unless `s`; `^`
/// and `$` are the ends of the value unless `m`, and `$` also matches before
/// a final `\n`. The value is the unescaped JSON string's UTF-8 bytes; an
/// ill-formed sequence in them counts as one U+FFFD, as when the value is
/// decoded to a String (the shim repairs the value only after a miss).
///
/// A plain value (the handle) so it can sit in the matcher's arena buffers;
/// the arena owns the RE2 object.
struct SigmaRegex {
    struct Flags: OptionSet {
        let rawValue: Int32
        static let caseInsensitive = Flags(rawValue: Int32(CRE2_CASE_INSENSITIVE))
        static let multiLine = Flags(rawValue: Int32(CRE2_MULTI_LINE))
        static let dotAll = Flags(rawValue: Int32(CRE2_DOT_ALL))
    }

    enum Compiled {
        case regex(SigmaRegex)
        /// Valid in Sigma's flavor but RE2 cannot run it (`RegexRejection.Reason`).
        case unsupported(String)
        /// Not a regular expression; RE2's explanation.
        case invalid(String)
    }

    private let handle: OpaquePointer
    /// The arena keeps it alive; unmanaged, so copying the regex touches no
    /// reference count on the matching path.
    private let owner: Unmanaged<Owner>

    /// Frees the RE2 object with the arena that keeps it; holds what the
    /// prefilter asks of the pattern once, at load.
    private final class Owner {
        let handle: OpaquePointer
        let pattern: String
        let flags: Flags
        init(_ handle: OpaquePointer, pattern: String, flags: Flags) {
            self.handle = handle; self.pattern = pattern; self.flags = flags
        }
        deinit { cre2_free(handle) }
    }

    static func compile(_ pattern: String, flags: Flags, arena: MatcherArena) -> Compiled {
        var text = pattern
        // RE2 from before 2023 spells a named group only `(?P<name>`; PCRE's
        // `(?<name>` is the same group, so it is respelled and compiled again.
        // Each round fixes one group, so this ends.
        while true {
            var error = cre2_error()
            let handle = text.utf8CString.withUnsafeBufferPointer {
                cre2_compile($0.baseAddress, $0.count - 1, flags.rawValue, &error)
            }
            if let handle {
                let owner = arena.keep(Owner(handle, pattern: text, flags: flags))
                return .regex(SigmaRegex(handle: handle, owner: owner))
            }
            let rejection = RegexRejection(pattern: text, code: Int(error.code),
                                           argument: string(&error.argument), message: string(&error.message))
            switch rejection.reason {
            case .namedGroup(let respelled): text = respelled
            case .unsupported(let feature): return .unsupported(feature)
            case .invalid(let message): return .invalid(message)
            }
        }
    }

    /// A NUL-terminated C array field as a String.
    private static func string<T>(_ tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The shortest literal RE2's prefilter keeps (shorter ones occur too often to narrow anything).
    static let minimumAtomLength: Int32 = 3

    /// Literals one of which occurs, lower-cased, in every value the pattern
    /// matches (RE2's own prefilter, so RE2's reading of the pattern: see
    /// `cre2_necessary_atoms`); nil when no literal is necessary. The atoms
    /// are folded with Unicode case rules, so a caller comparing them with
    /// ASCII folding counts a value with a non-ASCII byte as a hit.
    var necessaryAtoms: [[UInt8]]? {
        let o = owner.takeUnretainedValue()
        var atoms: [[UInt8]] = []
        let count = withUnsafeMutablePointer(to: &atoms) { list in
            o.pattern.utf8CString.withUnsafeBufferPointer { p in
                cre2_necessary_atoms(p.baseAddress, p.count - 1, o.flags.rawValue, SigmaRegex.minimumAtomLength, { context, atom, length in
                    let bytes = UnsafeRawBufferPointer(start: atom, count: length)
                    context!.assumingMemoryBound(to: [[UInt8]].self).pointee.append(Array(bytes))
                }, list)
            }
        }
        return count == 0 ? nil : atoms
    }

    /// Does the pattern match anywhere in the value's bytes?
    @inline(__always)
    func matches(_ value: UnsafeRawBufferPointer) -> Bool {
        cre2_partial_match(handle, value.baseAddress, value.count)
    }
}
