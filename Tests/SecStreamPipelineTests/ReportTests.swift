import Foundation
import XCTest

/// `secstream report`: one self-contained HTML page, checked the way a reader
/// sees it, in a real browser (headless Chromium, installed by scripts/deps.sh):
/// a screenshot into the test's directory, and the DOM Chromium built
/// counted for the alerts, rules, ATT&CK entries and countries.
final class ReportTests: XCTestCase {
    private static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    private func browser(_ arguments: [String]) throws -> String {
        guard let chromium = Self.chromium else {
            XCTFail("chromium is not installed: run scripts/deps.sh (it installs Debian's chromium)")
            throw CocoaError(.fileNoSuchFile)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    private func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// Two brute-force attacks, one from an address with a country; one user
    /// name is an HTML/script injection attempt.
    private func writeInputs(_ dir: TempDir) throws -> (events: String, alerts: String) {
        var lines: [String] = []
        for (ip, minute, user, geo) in [("198.51.100.9", 1, "root", #","geo":{"country_iso_code":"SE"}"#),
                                        ("203.0.113.77", 3, "<script>alert(1)</script>", "")] {
            for i in 0..<25 {
                lines.append(#"{"@timestamp":"2026-11-20T10:0\#(minute):\#(String(format: "%02d", i)).000Z","event":{"dataset":"auth","category":"authentication","outcome":"failure"},"user":{"name":"\#(user)"},"source":{"ip":"\#(ip)"\#(geo)},"host":{"name":"bastion"}}"#)
            }
        }
        let events = dir.path("events.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: events, atomically: true, encoding: .utf8)
        let alerts = dir.path("alerts.ndjson")
        let r = try CLI.run(["process", "--input", events, "--alerts", alerts])
        XCTAssertEqual(r.code, 0, r.stderr)
        return (events, alerts)
    }

    func testTheReportRendersInChromiumWithTheExpectedCounts() throws {
        let dir = try TempDir()
        let (events, alerts) = try writeInputs(dir)
        let html = dir.path("report.html")
        let r = try CLI.run(["report", alerts, "--events", events, "-o", html])
        XCTAssertEqual(r.code, 0, r.stderr)
        let page = try String(contentsOfFile: html, encoding: .utf8)

        // Self-contained: nothing to fetch, nothing to run.
        XCTAssertFalse(page.contains("<script"), "no script element (the injected user name is escaped)")
        XCTAssertFalse(page.contains("http://") && !page.contains("http://www.w3.org/2000/svg"))
        XCTAssertFalse(page.contains("https://"))
        XCTAssertFalse(page.contains("<link"))

        let dom = try browser(["--dump-dom", "file://" + html])
        XCTAssertTrue(dom.contains("secstream incident report"), String(dom.prefix(400)))
        XCTAssertEqual(count("<tr class=\"alert\"", in: dom), 2, "one row per alert")
        XCTAssertEqual(count("Brute Force Against One Account Or Host", in: dom) > 0, true)
        XCTAssertTrue(dom.contains("<td id=\"alert-count\">2</td>"))
        XCTAssertEqual(count("<tr class=\"tactic\">", in: dom), 1, "credential access")
        XCTAssertTrue(dom.contains("TA0006"))
        XCTAssertTrue(dom.contains("T1110.001"))
        XCTAssertEqual(count("<tr class=\"country\">", in: dom), 1)
        XCTAssertTrue(dom.contains("<td class=\"mono\">SE</td><td class=\"num\">1</td><td class=\"num\">25</td><td class=\"num\">25</td>"),
                      "SE: one alert (its source's country from the events), 25 events, 25 failed logins")
        XCTAssertEqual(count("<svg", in: dom), 2, "alerts over time and failed logins over time")
        XCTAssertTrue(dom.contains("50 failed logins from 2 sources"))
        XCTAssertTrue(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the sample event, escaped")
        XCTAssertEqual(count("<div class=\"sample\">", in: dom), 10, "five samples per alert")
        XCTAssertEqual(count("<pre>", in: dom), 10, "each with its event line")

        // A screenshot in the test output, as a reader would see the page.
        let png = dir.path("report.png")
        _ = try browser(["--screenshot=" + png, "--window-size=1280,2000", "file://" + html])
        let shot = try Data(contentsOf: URL(fileURLWithPath: png))
        XCTAssertGreaterThan(shot.count, 20_000, "a rendered page, not a blank one")
        XCTAssertEqual(Array(shot.prefix(4)), [0x89, 0x50, 0x4e, 0x47])
    }

    func testWithoutEventsTheAlertsAloneMakeTheReport() throws {
        let dir = try TempDir()
        let (_, alerts) = try writeInputs(dir)
        let r = try CLI.run(["report", alerts, "-o", "-"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(count("<tr class=\"alert\"", in: r.stdoutText), 2)
        XCTAssertTrue(r.stdoutText.contains("--events FILE_OR_ARCHIVE"), "says what the failed-logins chart needs")
    }

    func testALineThatIsNotAnAlertIsAnErrorNamingFileAndLine() throws {
        let dir = try TempDir()
        let (_, alerts) = try writeInputs(dir)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: alerts))
        handle.seekToEndOfFile()
        handle.write(Data("{\"hello\":1}\n".utf8))
        try handle.close()
        let r = try CLI.run(["report", alerts, "-o", dir.path("r.html")])
        XCTAssertEqual(r.code, 3)
        XCTAssertEqual(r.stderr, "secstream: \(alerts):3: no alert_id: not an alert\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path("r.html")), "no half report")
    }
}
