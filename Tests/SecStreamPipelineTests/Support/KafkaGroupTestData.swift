import Foundation
import XCTest

/// The events the consumer-group tests stream through Kafka: 60k generated
/// events over 2 hours of event time (windows open and close along the way),
/// no late or malformed lines, so a Kafka run must find exactly the alerts a
/// file run finds in them (36 alerts).
struct KafkaGroupTestData {
    let path: String
    let lines: [Substring]
    /// The alert ids of a file run over `path`.
    let reference: [String]

    init(_ dir: TempDir, file: StaticString = #filePath, line: UInt = #line) throws {
        path = dir.path("events.ndjson")
        let g = try CLI.run(["generate", "--events", "60000", "--seed", "5", "--span", "2h", "--late-fraction", "0",
                             "--malformed-fraction", "0", "-o", path])
        XCTAssertEqual(g.code, 0, g.stderr, file: file, line: line)
        let r = try CLI.run(["process", "--input", path, "--alerts", dir.path("reference.alerts")])
        XCTAssertEqual(r.code, 0, r.stderr, file: file, line: line)
        reference = try alertIDs(dir.path("reference.alerts"))
        XCTAssertGreaterThan(reference.count, 20, "the data must exercise several rules", file: file, line: line)
        lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    }
}
