import Foundation
import Yams

/// Parses the YAML of the rule sources on a second thread, in order, while the
/// loader compiles the documents already parsed: on a large pack YAML parsing
/// and compiling cost about the same, so the load takes the longer of the two
/// instead of their sum. The loader still takes the results in source order,
/// so errors and the loaded set are exactly those of parsing in line.
/// Parsed nodes are handed over under the lock and touched by one thread at a time.
final class RuleYAMLPrefetch: @unchecked Sendable {
    private enum Slot {
        case pending
        case parsed(Result<[Node], Error>)
        case taken
    }

    private let sources: [RuleSource]
    private let condition = NSCondition()
    private var slots: [Slot]
    private var cancelled = false
    /// Parsing runs on the caller's thread (one CPU, or too few sources to be worth a thread).
    private let inline: Bool

    init(_ sources: [RuleSource]) {
        self.sources = sources
        slots = Array(repeating: .pending, count: sources.count)
        inline = ProcessInfo.processInfo.activeProcessorCount < 2 || sources.count < RuleYAMLPrefetch.minimumSources
        guard !inline else { return }
        let thread = Thread { [self] in
            for (i, source) in sources.enumerated() {
                condition.lock()
                let stop = cancelled
                condition.unlock()
                if stop { return }
                let result = Result { try RuleLoader.documents(of: source) }
                condition.lock()
                slots[i] = .parsed(result)
                condition.broadcast()
                condition.unlock()
            }
        }
        thread.name = "secstream-rule-yaml"
        thread.start()
    }

    /// Fewer sources are parsed in line (a thread costs more than it saves).
    static let minimumSources = 64

    /// The documents of source `i`, waiting for the parser thread if needed. Each index is taken once.
    func documents(_ i: Int) throws -> [Node] {
        if inline { return try RuleLoader.documents(of: sources[i]) }
        condition.lock()
        defer { condition.unlock() }
        while true {
            switch slots[i] {
            case .pending: condition.wait()
            case .parsed(let result):
                slots[i] = .taken
                return try result.get()
            case .taken: preconditionFailure("rule source \(i) taken twice")
            }
        }
    }

    /// The loader stopped early (an error): the thread parses no more.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.unlock()
    }
}
