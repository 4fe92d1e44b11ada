import Foundation
import XCTest

/// Rule packs as a user points secstream at them: unsupported rules are
/// skipped with one line each and a summary, `--strict` fails, selection
/// flags choose rules, logsources route rules to their events only.
final class RulePackCLITests: XCTestCase {
    private func write(_ dir: TempDir, _ name: String, _ text: String) throws {
        let path = dir.path(name)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private let event = #"{"@timestamp":"2026-11-20T10:00:00Z","event":{"category":"authentication","outcome":"failure"},"user":{"name":"root"}}"# + "\n"

    private func pack() throws -> TempDir {
        let dir = try TempDir()
        try write(dir, "pack/auth_root.yml", """
            title: Root login failure
            id: auth-root
            level: high
            status: stable
            tags: [attack.t1110.001]
            logsource: {category: authentication}
            detection:
              sel:
                user.name: root
              condition: sel
            """)
        try write(dir, "pack/auth_any.yml", """
            title: Any login failure
            id: auth-any
            level: low
            status: experimental
            logsource: {category: authentication}
            detection:
              sel:
                event.outcome: failure
              condition: sel
            """)
        try write(dir, "pack/rdp_not.yml", """
            title: Not RDP
            id: zeek-rdp
            logsource: {product: acme, service: rdp}
            detection:
              sel:
                id.resp_p: 3389
              condition: not sel
            """)
        try write(dir, "pack/minute.yml", """
            title: At night
            id: at-night
            logsource: {category: authentication}
            detection:
              sel:
                '@timestamp|hour': 3
              condition: sel
            """)
        return dir
    }

    private func ruleIDs(_ r: CLI.Result) throws -> [String] {
        try r.stdoutLines.map { line -> String in
            let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return (json["rule"] as! [String: Any])["id"] as! String
        }.sorted()
    }

    func testAPackWithUnsupportedAndUnroutableRulesRunsAndSaysWhatItSkipped() throws {
        let dir = try pack()
        let r = try CLI.run(["process", "--no-default-rules", "--rules", dir.path("pack")], stdin: Data(event.utf8))
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try ruleIDs(r), ["auth-any", "auth-root"], "the `not` rule of an unrecognised logsource did not run on an auth event")
        XCTAssertTrue(r.stderr.contains("secstream: skipped rule \(dir.path("pack/minute.yml")):6: modifier 'hour' is not supported\n"), r.stderr)
        XCTAssertTrue(r.stderr.contains("secstream: 2 rules loaded; 1 skipped as unsupported; 1 for logsources no loaded pipeline recognises (acme/-/rdp 1)\n"), r.stderr)
    }

    func testStrictMakesAnySkipAnError() throws {
        let dir = try pack()
        let r = try CLI.run(["process", "--no-default-rules", "--strict", "--rules", dir.path("pack")], stdin: Data(event.utf8))
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertEqual(r.stdoutLines.count, 0)
        XCTAssertTrue(r.stderr.contains(dir.path("pack/")), r.stderr)
    }

    func testSelectionFlags() throws {
        let dir = try pack()
        let base = ["process", "--no-default-rules", "--rules", dir.path("pack")]
        XCTAssertEqual(try ruleIDs(try CLI.run(base + ["--min-level", "high"], stdin: Data(event.utf8))), ["auth-root"])
        XCTAssertEqual(try ruleIDs(try CLI.run(base + ["--status", "experimental,test"], stdin: Data(event.utf8))), ["auth-any"])
        XCTAssertEqual(try ruleIDs(try CLI.run(base + ["--tags", "attack.t1110"], stdin: Data(event.utf8))), ["auth-root"])
        try write(dir, "exclude.txt", "# noisy\nauth-root\n")
        XCTAssertEqual(try ruleIDs(try CLI.run(base + ["--exclude-rules", dir.path("exclude.txt")], stdin: Data(event.utf8))), ["auth-any"])
        XCTAssertEqual(try ruleIDs(try CLI.run(base + ["--exclude-rules", "auth-any"], stdin: Data(event.utf8))), ["auth-root"])
        let bad = try CLI.run(base + ["--min-level", "urgent"], stdin: Data(event.utf8))
        XCTAssertEqual(bad.code, 2, bad.stderr)
    }

    func testAPipelineFileRecognisesTheLogsourceAndMapsFields() throws {
        let dir = try pack()
        try write(dir, "zeek.yml", """
            name: my-zeek
            transformations:
              - type: add_condition
                conditions: {_path: rdp}
                rule_conditions: [{type: logsource, product: acme, service: rdp}]
            """)
        let conn = #"{"@timestamp":"2026-11-20T10:00:00Z","_path":"rdp","id.resp_p":3390}"# + "\n" +
            #"{"@timestamp":"2026-11-20T10:00:01Z","_path":"rdp","id.resp_p":3389}"# + "\n" +
            #"{"@timestamp":"2026-11-20T10:00:02Z","_path":"conn","id.resp_p":80}"# + "\n"
        let r = try CLI.run(["process", "--no-default-rules", "--rules", dir.path("pack/rdp_not.yml"),
                             "--pipeline", dir.path("zeek.yml"), "--lateness", "0"], stdin: Data(conn.utf8))
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdoutLines.count, 1, "only the rdp event on a port other than 3389: \(r.stdoutText)")
        XCTAssertTrue(r.stdoutText.contains(#""line":1"#), r.stdoutText)
        let missing = try CLI.run(["process", "--pipeline", "no-such-pipeline"], stdin: Data(event.utf8))
        XCTAssertEqual(missing.code, 2, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("built-in: "), missing.stderr)
    }

    /// `--rule-cache DIR`: a pack large enough for the prefilter leaves its
    /// compiled databases there, and a second run gives the same alerts from
    /// them; a directory others may write to is said on stderr and not used.
    func testRuleCacheKeepsThePrefilterDatabasesAndChangesNoAlert() throws {
        let dir = try TempDir()
        for r in 0..<40 {
            try write(dir, "pack/r\(r).yml", """
                title: Rule \(r)
                id: rule-\(r)
                logsource: {category: authentication}
                detection:
                  sel:
                    user.name|contains: 'user\(r)x'
                  re:
                    user.name|re: '^adm\(r)[0-9]+$'
                  condition: sel or re
                """)
        }
        var events = ""
        for r in 0..<40 {
            events += #"{"@timestamp":"2026-11-20T10:00:\#(String(format: "%02d", r))Z","event":{"category":"authentication","outcome":"failure"},"user":{"name":"\#(r % 2 == 0 ? "user\(r)x" : "adm\(r)77")"}}"# + "\n"
        }
        let cache = dir.path("cache")
        func run(_ extra: [String]) throws -> CLI.Result {
            let r = try CLI.run(["process", "--no-default-rules", "--rules", dir.path("pack"), "--lateness", "0"] + extra, stdin: Data(events.utf8))
            XCTAssertEqual(r.code, 0, r.stderr)
            return r
        }
        let fresh = try run(["--no-rule-cache"])
        XCTAssertGreaterThanOrEqual(fresh.stdoutLines.count, 40, "every event matches its rule (some more): \(fresh.stderr)")
        let first = try run(["--rule-cache", cache])
        let files = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".hsdb") }
        XCTAssertGreaterThanOrEqual(files.count, 1, "compiled databases in the cache")
        let second = try run(["--rule-cache", cache])
        XCTAssertEqual(first.stdout, fresh.stdout)
        XCTAssertEqual(second.stdout, fresh.stdout)

        let shared = dir.path("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        XCTAssertEqual(chmod(shared, 0o777), 0)
        let refused = try run(["--rule-cache", shared])
        XCTAssertTrue(refused.stderr.contains("--rule-cache \(shared): not used: \(shared) is writable by others"), refused.stderr)
        XCTAssertEqual(refused.stdout, fresh.stdout)
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: shared).isEmpty)
    }
}
