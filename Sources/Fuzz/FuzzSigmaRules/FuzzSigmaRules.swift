// libFuzzer target: the Sigma loader (YAML -> rule document -> detection
// compiler -> matchers) and the processing-pipeline parser on the same YAML
// text. A rule set that loads is run against a few events.
import SecStreamCore

private let events: [[UInt8]] = [
    #"{"@timestamp":"2026-11-20T13:30:00.250Z","event":{"outcome":"failure","category":["authentication"]},"user":{"name":"admin"},"source":{"ip":"10.1.2.3"},"process":{"command_line":"cmd.exe /c whoami","name":"cmd.exe"},"EventID":4625}"#,
    #"{"@timestamp":1795179909123,"query":"aGVsbG8.example.com","dns":{"question":{"name":"x.example.com"}},"url":{"path":"/../etc/passwd"}}"#,
].map { Array($0.utf8) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSigmaRules(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? PipelineParser.parse(text, source: "fuzz-pipeline.yml", defaultName: "fuzz")
    guard let rules = try? RuleLoader().load(sources: [RuleSource(name: "fuzz.yml", text: text)]) else { return 0 }
    let matchers = DetectionMatcherSet(rules.detections)
    let scanner = FieldScanner(schema: rules.schema)
    let slots = UnsafeMutableBufferPointer<FieldSlot>.allocate(capacity: max(1, rules.schema.count))
    defer { slots.deallocate() }
    for event in events {
        event.withUnsafeBytes { line in
            guard scanner.scan(line, into: slots).isOK else { return }
            let view = EventView(line: line, slots: UnsafeBufferPointer(slots))
            var filtered: [Int] = [], unfiltered: [Int] = []
            matchers.forEachMatch(view) { filtered.append($0) }
            matchers.forEachMatchUnfiltered(view) { unfiltered.append($0) }
            precondition(filtered == unfiltered, "prefilter changed the matches: \(filtered) vs \(unfiltered)")
        }
    }
    return 0
}
