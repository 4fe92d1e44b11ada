import Foundation
import XCTest

/// `generate --events 1000000 --seed S --truth t | process` finds every truth
/// entry and nothing else (precision and recall 1.0), with late events within
/// the lateness bound and malformed lines mixed in — through the real binary
/// and a real pipe, for several seeds.
final class PrecisionRecallTests: XCTestCase {
    func testEveryInjectedAttackIsFoundAndNothingElseForSeveralSeeds() throws {
        for seed in [11, 12, 13] {
            try checkSeed(seed, events: 1_000_000)
        }
    }

    private func checkSeed(_ seed: Int, events: Int) throws {
        let dir = try TempDir()
        let truthPath = dir.path("truth.ndjson"), alertsPath = dir.path("alerts.ndjson")
        // The shell pipe is the point: generate | process, as a user runs it.
        let script = """
        set -o pipefail
        "\(CLI.binary.path)" generate --events \(events) --seed \(seed) --late-fraction 0.02 --max-lateness 20s \
          --malformed-fraction 0.0005 --truth "\(truthPath)" \
        | "\(CLI.binary.path)" process --lateness 30s --alerts "\(alertsPath)" --dead-letter "\(dir.path("dead.ndjson"))"
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "seed \(seed): \(stderr)")

        let truth = try readNDJSON(truthPath)
        let alerts = try readNDJSON(alertsPath)
        XCTAssertGreaterThanOrEqual(truth.count, 8, "seed \(seed): every scenario is injected")
        XCTAssertEqual(Set(truth.map { $0["scenario"] as! String }).count, 8)
        XCTAssertTrue(stderr.contains(" 0 late"), "seed \(seed): late events stayed within --lateness: \(stderr)")

        func key(_ rule: String, _ group: [String: Any]) -> String {
            rule + "|" + group.keys.sorted().map { "\($0)=\(group[$0]!)" }.joined(separator: ",")
        }
        var byKey: [String: [[String: Any]]] = [:]
        for a in alerts {
            let rule = (a["rule"] as! [String: Any])["id"] as! String
            byKey[key(rule, a["group"] as! [String: Any]), default: []].append(a)
        }
        var matched = 0
        for t in truth {
            let k = key(t["rule"] as! String, t["group"] as! [String: Any])
            guard let found = byKey[k], found.count == 1, let a = found.first else {
                XCTFail("seed \(seed): truth \(k) has \(byKey[k]?.count ?? 0) alerts, want 1")
                continue
            }
            let window = t["window"] as! [String: String]
            let detected = a["detected_at"] as! String, first = a["first_seen"] as! String
            XCTAssertTrue(window["start"]! <= first && detected <= window["end"]!,
                          "seed \(seed): \(k) fired at \(detected) outside its attack \(window)")
            matched += 1
        }
        XCTAssertEqual(matched, truth.count, "seed \(seed): recall")
        XCTAssertEqual(alerts.count, truth.count, "seed \(seed): precision (an alert with no truth entry)")
    }
}
