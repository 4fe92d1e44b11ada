import ArgumentParser
import SecStreamPipeline

/// `--progress` / `--quiet` of the long-running commands (generate, ingest,
/// process, replay): the progress line on stderr and the summary line.
struct ProgressOptions: ParsableArguments {
    @Flag(help: "Show the progress line on stderr even when it is not a terminal.") var progress = false
    @Flag(help: "No progress line and no summary line on stderr.") var quiet = false

    func validate() throws {
        if progress && quiet { throw ValidationError("--progress and --quiet exclude each other") }
    }

    var mode: ProgressMode { progress ? .always : quiet ? .never : .auto }
}
