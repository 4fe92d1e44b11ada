import ArgumentParser
import SecStreamPipeline

struct SecStream: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "secstream", abstract: "Security-log streams: generate, ingest, detect, archive, replay, query.")
}
SecStream.main()
