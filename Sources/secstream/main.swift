import SecStreamCore
import ArgumentParser
import Codecs
import Foundation
import SecStreamPipeline

struct SecStream: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secstream",
        abstract: "Generate, ship, detect on, archive, replay and query security-log streams.",
        discussion: """
        Exit codes: 0 success; 1 the run completed but found what --fail-on-alert asks to fail on; \
        2 usage or configuration error; 3 input or rule error; 4 a remote system (Kafka, S3) failed after retries.
        """,
        version: SecStreamVersion.current,
        subcommands: [GenerateCommand.self, IngestCommand.self, ProcessCommand.self, ReplayCommand.self, TrainCommand.self, QueryCommand.self, ReportCommand.self,
                      BaselineCommand.self]
    )
}

/// ArgumentParser exits 64 on usage errors; docs/uris-and-exit-codes.md says 2. Runtime errors carry
/// their own exit code (RunError) and print one line.
func runMain() -> Never {
    // Sockets and pipes report EPIPE as an error instead of killing the process.
    signal(SIGPIPE, SIG_IGN)
    do {
        var command = try SecStream.parseAsRoot()
        try command.run()
        exit(0)
    } catch let error as RunError where error.isBrokenPipe {
        exit(0)
    } catch let error as IOError where error.isBrokenPipe {
        exit(0)
    } catch let error as RunError {
        FileHandle.standardError.write(Data("secstream: \(error.message)\n".utf8))
        exit(error.exitCode)
    } catch let error as ExitCode {
        exit(error.rawValue)
    } catch {
        let code = SecStream.exitCode(for: error)
        if code == .success { SecStream.exit(withError: error) }
        if code == .validationFailure {
            // One line too, naming the flag (and why its value was refused), not the usage screen.
            let message = RefusedValues.explain(SecStream.message(for: error))
            let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("secstream: \(line)\n".utf8))
            exit(2)
        }
        let message = SecStream.fullMessage(for: error)
        FileHandle.standardError.write(Data("\(message)\n".utf8))
        exit(code.rawValue)
    }
}

runMain()
