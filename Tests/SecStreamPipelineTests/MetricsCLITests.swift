import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import XCTest

/// The metrics outlets through the built binary and the real Prometheus
/// tools (Debian's `prometheus` and `prometheus-pushgateway`, installed by
/// scripts/deps.sh): promtool on a run's textfile, a Prometheus scraping a
/// following run and evaluating every query of the Grafana dashboard, and a
/// Pushgateway receiving a batch run's push. A missing tool fails the test.
final class MetricsCLITests: XCTestCase {
    static let promtool = "/usr/bin/promtool"
    static let prometheus = "/usr/bin/prometheus"
    static let pushgateway = "/usr/bin/prometheus-pushgateway"

    private func generated(_ dir: TempDir, events: Int = 20000) throws -> String {
        let path = dir.path("events.ndjson")
        let g = try CLI.run(["generate", "--events", String(events), "--seed", "5", "-o", path])
        XCTAssertEqual(g.code, 0, g.stderr)
        return path
    }

    /// `name{labels} value` lines of a text exposition, by series text.
    private func samples(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = v
        }
        return out
    }

    private func requireTool(_ path: String) throws {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            XCTFail("\(path) is missing: run scripts/deps.sh (Debian prometheus, prometheus-pushgateway)")
            throw CocoaError(.fileNoSuchFile)
        }
    }

    private func runTool(_ path: String, _ arguments: [String], stdin: Data? = nil) throws -> (code: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let out = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = stdin == nil ? FileHandle.nullDevice : inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(stdin); try inp.fileHandleForWriting.close() }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func httpGet(_ url: String, timeout: TimeInterval = 10) throws -> (status: Int, body: Data) {
        final class Box: @unchecked Sendable { var status = 0; var body = Data(); var error: Error? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = timeout
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            box.body = data ?? Data(); box.error = error
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + timeout + 5) == .success else { throw CocoaError(.fileReadUnknown) }
        if let error = box.error { throw error }
        return (box.status, box.body)
    }

    func testMetricsFilePassesPromtoolAndAgreesWithTheSummaryAndTheAlerts() throws {
        try requireTool(Self.promtool)
        let dir = try TempDir()
        let events = try generated(dir)
        let file = dir.path("secstream.prom")
        let r = try CLI.run(["process", "--input", events, "--alerts", dir.path("alerts.ndjson"), "--metrics-file", file])
        XCTAssertEqual(r.code, 0, r.stderr)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let check = try runTool(Self.promtool, ["check", "metrics"], stdin: Data(text.utf8))
        XCTAssertEqual(check.code, 0, "promtool check metrics:\n\(check.output)\n\(text)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.contains("tmp") }, [],
                       "no temporary file left behind")

        let s = samples(text)
        // "secstream: 20000 lines (5.2 MB) in 0.17s: 20000 events, 0 malformed, ..."
        let summary = String(try XCTUnwrap(r.stderr.split(separator: "\n").first { $0.hasPrefix("secstream: ") && $0.contains(" lines (") }))
        func figure(_ name: String) -> Double? {
            let words = summary.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: ";", with: "").split(separator: " ")
            guard let i = words.firstIndex(of: Substring(name)), i > 0 else { return nil }
            return Double(words[i - 1])
        }
        XCTAssertEqual(s[#"secstream_events_total{input="file",outcome="ok"}"#], figure("events"), summary)
        XCTAssertEqual(s[#"secstream_events_total{input="file",outcome="malformed"}"#], figure("malformed"), summary)
        XCTAssertEqual(s[#"secstream_lines_read_total{input="file"}"#], figure("lines"), summary)
        XCTAssertEqual(s[#"secstream_rule_matches_total"#], figure("matches"), summary)

        var byRule: [String: Double] = [:]
        for alert in try readNDJSON(dir.path("alerts.ndjson")) {
            let rule = alert["rule"] as! [String: Any]
            byRule[#"secstream_alerts_total{level="\#(rule["level"] as! String)",rule="\#(rule["id"] as! String)"}"#, default: 0] += 1
        }
        XCTAssertFalse(byRule.isEmpty, "the generated stream has attacks")
        XCTAssertEqual(s.filter { $0.key.hasPrefix("secstream_alerts_total{") }, byRule)
        XCTAssertEqual(s.filter { $0.key.hasPrefix("secstream_build_info{") }.count, 1)
    }

    func testQueryAndArchiveFamiliesAndBadFlagsAreOneLineErrors() throws {
        let dir = try TempDir()
        let events = try generated(dir, events: 5000)
        let archive = dir.path("archive")
        let p = try CLI.run(["process", "--input", events, "--alerts", dir.path("a.ndjson"), "--archive", archive,
                             "--metrics-file", dir.path("p.prom")])
        XCTAssertEqual(p.code, 0, p.stderr)
        let ps = samples(try String(contentsOfFile: dir.path("p.prom"), encoding: .utf8))
        XCTAssertGreaterThan(ps["secstream_archive_objects_written_total"] ?? 0, 0)
        XCTAssertGreaterThan(ps["secstream_archive_written_bytes_total"] ?? 0, 0)

        let q = try CLI.run(["query", archive, "--count-by", "event.dataset", "--metrics-file", dir.path("q.prom")])
        XCTAssertEqual(q.code, 0, q.stderr)
        let qs = samples(try String(contentsOfFile: dir.path("q.prom"), encoding: .utf8))
        XCTAssertEqual(qs[#"secstream_events_total{input="archive",outcome="ok"}"#], 5000)
        XCTAssertEqual(qs[#"secstream_archive_objects_read_total{outcome="ok"}"#], ps["secstream_archive_objects_written_total"])

        let rp = try CLI.run(["replay", archive, "--alerts", dir.path("r.ndjson"), "--metrics-file", dir.path("r.prom"),
                              "--metrics-interval", "1s"])
        XCTAssertEqual(rp.code, 0, rp.stderr)
        let rs = samples(try String(contentsOfFile: dir.path("r.prom"), encoding: .utf8))
        XCTAssertEqual(rs[#"secstream_events_total{input="archive",outcome="ok"}"#], 5000)
        XCTAssertEqual(rs.filter { $0.key.hasPrefix("secstream_alerts_total") }, ps.filter { $0.key.hasPrefix("secstream_alerts_total") },
                       "replay finds the live run's alerts")

        for (flag, value) in [("--metrics-listen", "nonsense"), ("--metrics-listen", "127.0.0.1:70000"),
                              ("--metrics-interval", "0s"), ("--metrics-push", "ftp://x")] {
            let r = try CLI.run(["process", "--input", events, flag, value])
            XCTAssertEqual(r.code, 2, "\(flag) \(value): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(flag), r.stderr)
        }
        // A port already taken: also one line, exit 2.
        let taken = try CLI.run(["process", "--input", events, "--metrics-listen", "127.0.0.1:\(try busyPort())"])
        XCTAssertEqual(taken.code, 2, taken.stderr)
        XCTAssertTrue(taken.stderr.contains("cannot listen"), taken.stderr)
    }

    /// A port some socket of this test process listens on.
    private var listeners: [Int32] = []
    private func busyPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 1)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listeners.append(fd)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    override func tearDown() {
        for fd in listeners { close(fd) }
        listeners = []
        super.tearDown()
    }

    /// The port the run said it listens on (`secstream: metrics on http://HOST:PORT/metrics`).
    private func metricsPort(_ run: BackgroundCLI) throws -> Int {
        var port: Int?
        try run.waitFor("the metrics address on stderr", timeout: 60) {
            guard let line = run.stderr.split(separator: "\n").first(where: { $0.contains("metrics on http://") }),
                  let colon = line.lastIndex(of: ":"), let slash = line.lastIndex(of: "/") else { return false }
            port = Int(line[line.index(after: colon)..<slash])
            return port != nil
        }
        return port!
    }

    /// Every PromQL expression of every panel in dashboards/secstream.json,
    /// with Grafana's variables replaced as Grafana would.
    static func dashboardExpressions() throws -> [(panel: String, expr: String)] {
        let url = CLI.packageRoot.appendingPathComponent("dashboards/secstream.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var out: [(String, String)] = []
        func walk(_ panels: [[String: Any]]) {
            for panel in panels {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    if let expr = target["expr"] as? String { out.append((panel["title"] as? String ?? "?", expr)) }
                }
                walk(panel["panels"] as? [[String: Any]] ?? [])
            }
        }
        walk(json["panels"] as! [[String: Any]])
        return out.map { panel, expr in
            (panel, expr.replacingOccurrences(of: "$__rate_interval", with: "1m")
                .replacingOccurrences(of: "$__range", with: "5m")
                .replacingOccurrences(of: "$instance", with: ".*")
                .replacingOccurrences(of: "$job", with: ".*"))
        }
    }

    private func promQuery(_ base: String, _ expr: String) throws -> (status: String, error: String?, results: Int) {
        var components = URLComponents(string: base + "/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: expr)]
        // `+` in a query string would read as a space.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        let (_, body) = try httpGet(components.url!.absoluteString)
        let json = try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
        let data = json["data"] as? [String: Any]
        return (json["status"] as? String ?? "?", json["error"] as? String, (data?["result"] as? [Any])?.count ?? 0)
    }

    func testPrometheusScrapesAFollowingRunAndEveryDashboardQueryEvaluates() throws {
        try requireTool(Self.prometheus)
        let dir = try TempDir()
        let events = try generated(dir)
        let live = dir.path("live.prom")
        let run = try BackgroundCLI(["process", "--input", events, "--follow", "--alerts", dir.path("alerts.ndjson"),
                                     "--metrics-listen", "127.0.0.1:0", "--metrics-file", live, "--metrics-interval", "300ms"],
                                    stderrFile: dir.path("stderr"))
        defer { run.signal(SIGTERM); run.wait(timeout: 30) }
        let port = try metricsPort(run)
        // The textfile is rewritten during the run, not only at its end.
        try run.waitFor("the textfile to show every event while the run follows", timeout: 60) {
            let text = (try? String(contentsOfFile: live, encoding: .utf8)) ?? ""
            return samples(text)[#"secstream_events_total{input="file",outcome="ok"}"#] == 20000
        }
        let config = dir.path("prometheus.yml")
        try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: secstream
                static_configs:
                  - targets: ['127.0.0.1:\(port)']

            """.write(toFile: config, atomically: true, encoding: .utf8)
        let prometheus = try LocalServer(name: "prometheus", executable: Self.prometheus, arguments: { p, d in
            ["--config.file=\(config)", "--storage.tsdb.path=\(d)/data", "--web.listen-address=127.0.0.1:\(p)"]
        })
        defer { prometheus.stop() }
        let base = prometheus.endpointURL
        // Up, and enough scrapes for rate() over the 1m windows (two samples at least).
        try run.waitFor("Prometheus scraping secstream", timeout: 90) {
            let up = try? promQuery(base, #"count_over_time(up{job="secstream"}[1m]) >= 4 and up{job="secstream"} == 1"#)
            return (up?.results ?? 0) > 0
        }
        let expressions = try Self.dashboardExpressions()
        XCTAssertGreaterThanOrEqual(expressions.count, 20)
        for (panel, expr) in expressions {
            let r = try promQuery(base, expr)
            XCTAssertEqual(r.status, "success", "\(panel): \(expr): \(r.error ?? "")")
        }
        // The panels a file run feeds return data (Kafka and S3 ones need those inputs).
        let core = ["Events/s", "Alerts (range)", "Event-time lag", "Version", "Events by outcome", "Bytes and lines read",
                    "Event-time lag per input and partition", "Alerts by rule and level", "Rule matches", "Dead letters by reason",
                    "Window state", "CPU", "Memory and file descriptors"]
        for title in core {
            let exprs = expressions.filter { $0.panel == title }
            XCTAssertFalse(exprs.isEmpty, "no panel \(title)")
            for (_, expr) in exprs {
                XCTAssertGreaterThan(try promQuery(base, expr).results, 0, "\(title): \(expr) returned no data")
            }
        }
        let ok = try promQuery(base, #"secstream_events_total{outcome="ok"} == 20000"#)
        XCTAssertEqual(ok.results, 1, "Prometheus sees every event of the file")
    }

    func testPushgatewayReceivesTheBatchRunsFamilies() throws {
        try requireTool(Self.pushgateway)
        let gateway = try LocalServer(name: "pushgateway", executable: Self.pushgateway, arguments: { p, d in
            ["--web.listen-address=127.0.0.1:\(p)", "--persistence.file=\(d)/pushed"]
        })
        defer { gateway.stop() }
        let dir = try TempDir()
        let events = try generated(dir, events: 5000)
        let r = try CLI.run(["process", "--input", events, "--alerts", dir.path("a.ndjson"), "--metrics-push", gateway.endpointURL])
        XCTAssertEqual(r.code, 0, r.stderr)
        let (status, body) = try httpGet(gateway.endpointURL + "/metrics")
        XCTAssertEqual(status, 200)
        let text = String(decoding: body, as: UTF8.self)
        let pushed = samples(text).filter { $0.key.hasPrefix("secstream_events_total{") && $0.key.contains(#"job="secstream""#)
            && $0.key.contains(#"outcome="ok""#) }
        XCTAssertEqual(pushed.count, 1, text)
        XCTAssertEqual(pushed.first?.value, 5000)
        for family in ["secstream_alerts_total{", "secstream_build_info{", "secstream_rule_matches_total{", "push_time_seconds{"] {
            XCTAssertTrue(text.contains(family), "\(family) not on the gateway")
        }
        // A gateway that is not there: exit 4, one line.
        gateway.stop()
        let down = try CLI.run(["process", "--input", events, "--metrics-push", gateway.endpointURL])
        XCTAssertEqual(down.code, 4, down.stderr)
        XCTAssertTrue(down.stderr.contains("--metrics-push"), down.stderr)
    }
}
