import SecStreamCore

/// `secstream baseline build`: learns baselines and new-terms histories from
/// an archive by replaying it through the same engine as `replay` (the same
/// `ReplayRunner`, its alerts discarded unless `--alerts` names a
/// destination) and writes what the rules learned to `-o FILE`
/// (`LearnedStateFile`), for `process`/`replay --baseline FILE`.
public final class BaselineBuildRunner {
    public let options: ReplayOptions

    /// `options.learnedStateOutput` is the file to write.
    public init(options: ReplayOptions) { self.options = options }

    public func run() throws -> Int32 {
        guard let output = options.learnedStateOutput, !output.isEmpty else {
            throw RunError(.usage, "-o: baseline build needs the file to write")
        }
        return try ReplayRunner(options: options).run()
    }
}
