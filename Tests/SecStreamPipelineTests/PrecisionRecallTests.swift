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

    // MARK: - A stream whose truth does not come from the generator

    /// One event line built here, in the generator's ECS shape.
    private struct Built {
        var seconds: Double
        var json: String
    }

    private static let base = ISO8601DateFormatter().date(from: "2026-11-20T10:00:00Z")!

    private static func timestamp(_ seconds: Double) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: base.addingTimeInterval(seconds))
    }

    private static func auth(_ t: Double, _ ip: String, user: String, success: Bool) -> Built {
        Built(seconds: t, json: #"{"@timestamp":"\#(timestamp(t))","event":{"dataset":"auth","category":"authentication","action":"ssh_login","outcome":"\#(success ? "success" : "failure")"},"user":{"name":"\#(user)"},"source":{"ip":"\#(ip)","port":40000},"host":{"name":"bastion-1"},"process":{"name":"sshd"}}"#)
    }

    private static func flow(_ t: Double, _ ip: String, to destination: String, port: Int, bytes: Int = 1200) -> Built {
        Built(seconds: t, json: #"{"@timestamp":"\#(timestamp(t))","event":{"dataset":"network","category":"network"},"source":{"ip":"\#(ip)","port":50000,"bytes":\#(bytes)},"destination":{"ip":"\#(destination)","port":\#(port),"bytes":300},"network":{"transport":"tcp"}}"#)
    }

    private static func web(_ t: Double, _ ip: String, path: String, status: Int) -> Built {
        Built(seconds: t, json: #"{"@timestamp":"\#(timestamp(t))","event":{"dataset":"web","category":"web"},"source":{"ip":"\#(ip)"},"http":{"request":{"method":"GET"},"response":{"status_code":\#(status)}},"url":{"path":"\#(path)"},"user_agent":{"original":"curl/8.5.0"}}"#)
    }

    private static func dns(_ t: Double, _ ip: String, name: String) -> Built {
        Built(seconds: t, json: #"{"@timestamp":"\#(timestamp(t))","event":{"dataset":"dns","category":"network"},"source":{"ip":"\#(ip)"},"dns":{"question":{"name":"\#(name)","type":"A"}}}"#)
    }

    /// A label of `n` lowercase hex characters, distinct per `i`.
    private static func label(_ i: Int, length n: Int) -> String {
        String(String(repeating: String(format: "%08x", i &* 2_654_435_761 & 0xffff_ffff), count: 8).prefix(n))
    }

    /// Attacks and near-miss decoys built here, each labelled by reading the
    /// rule pack's own definitions (rules/*.yml: thresholds, windows,
    /// group-by), never by running the generator: every attack reaches its
    /// rule's threshold exactly once, every decoy stays just short of it.
    /// Through the built-in rules, precision and recall must both be exactly 1.
    func testHandLabelledAttacksAndDecoysGivePrecisionAndRecallOne() throws {
        let bruteForce = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a01", spray = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a02"
        let portScan = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a03", hostSweep = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a04"
        let exfiltration = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a05", webScan = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a06"
        let dnsTunnel = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a07", bruteForceSuccess = "5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2a08"
        var events: [Built] = []
        var truth = Set<String>()           // "rule|source.ip": must alert, once
        var decoys: [String] = []           // source addresses that must not alert at all
        func slot(_ n: Int) -> Double { Double(n) * 600 }   // each scenario in its own 10 minutes

        // brute_force: >= 20 failed logins from one address in one clock minute (tumbling).
        for i in 0..<20 { events.append(Self.auth(slot(0) + 5 + Double(i), "203.0.113.10", user: "root", success: false)) }
        truth.insert("\(bruteForce)|203.0.113.10")
        for i in 0..<19 { events.append(Self.auth(slot(0) + 120 + Double(i), "203.0.113.11", user: "root", success: false)) }
        decoys.append("203.0.113.11")   // one short
        for i in 0..<24 { events.append(Self.auth(slot(0) + 228 + Double(i), "203.0.113.12", user: "admin", success: false)) }
        decoys.append("203.0.113.12")   // 24 in 24 s, but 12 on each side of the 10:04 minute boundary

        // password_spray: >= 10 distinct users failing from one address within 5 minutes.
        for i in 0..<10 { events.append(Self.auth(slot(1) + 5 + Double(i) * 10, "203.0.113.20", user: "user\(i)", success: false)) }
        truth.insert("\(spray)|203.0.113.20")
        for i in 0..<9 { events.append(Self.auth(slot(1) + 10 + Double(i) * 10, "203.0.113.21", user: "user\(i)", success: false)) }
        decoys.append("203.0.113.21")   // nine users
        for i in 0..<12 { events.append(Self.auth(slot(1) + 15 + Double(i) * 40, "203.0.113.22", user: "staff\(i)", success: false)) }
        decoys.append("203.0.113.22")   // twelve users, but at most eight in any 5 minutes

        // brute_force_success: a brute force, then a successful login from the same address within 5 minutes.
        for i in 0..<20 { events.append(Self.auth(slot(2) + 5 + Double(i), "203.0.113.30", user: i % 2 == 0 ? "root" : "admin", success: false)) }
        events.append(Self.auth(slot(2) + 150, "203.0.113.30", user: "admin", success: true))
        truth.insert("\(bruteForce)|203.0.113.30")
        truth.insert("\(bruteForceSuccess)|203.0.113.30")
        for i in 0..<20 { events.append(Self.auth(slot(3) + 5 + Double(i), "203.0.113.31", user: "root", success: false)) }
        events.append(Self.auth(slot(3) + 25 + 7 * 60, "203.0.113.31", user: "root", success: true))
        truth.insert("\(bruteForce)|203.0.113.31")   // the brute force alerts; the success 7 minutes later must not

        // port_scan: >= 50 distinct destination ports from one address in one clock minute.
        for i in 0..<50 { events.append(Self.flow(slot(4) + 5 + Double(i) * 0.5, "198.51.100.40", to: "10.0.5.5", port: 1000 + i)) }
        truth.insert("\(portScan)|198.51.100.40")
        for i in 0..<49 { events.append(Self.flow(slot(4) + 65 + Double(i) * 0.5, "198.51.100.41", to: "10.0.5.6", port: 2000 + i)) }
        decoys.append("198.51.100.41")

        // host_sweep: >= 30 distinct internal destinations from one address within 5 minutes.
        for i in 0..<30 { events.append(Self.flow(slot(5) + 5 + Double(i) * 5, "198.51.100.50", to: "10.0.6.\(i + 1)", port: 445)) }
        truth.insert("\(hostSweep)|198.51.100.50")
        for i in 0..<29 { events.append(Self.flow(slot(5) + 7 + Double(i) * 5, "198.51.100.51", to: "10.0.7.\(i + 1)", port: 445)) }
        decoys.append("198.51.100.51")

        // exfiltration: >= 500,000,000 bytes sent out by one internal address within 15 minutes.
        for i in 0..<5 { events.append(Self.flow(slot(6) + 5 + Double(i) * 60, "10.250.0.60", to: "198.51.100.99", port: 443, bytes: 100_000_000)) }
        truth.insert("\(exfiltration)|10.250.0.60")
        for i in 0..<5 {
            events.append(Self.flow(slot(6) + 8 + Double(i) * 60, "10.250.0.61", to: "198.51.100.98", port: 443,
                                    bytes: i == 4 ? 99_999_999 : 100_000_000))
        }
        decoys.append("10.250.0.61")    // one byte short

        // web_scan: >= 40 distinct paths answered 400/401/403/404/405 to one address within 2 minutes.
        for i in 0..<40 { events.append(Self.web(slot(7) + 5 + Double(i), "192.0.2.70", path: "/probe/\(i)", status: [404, 403, 401, 400, 405][i % 5])) }
        truth.insert("\(webScan)|192.0.2.70")
        for i in 0..<39 { events.append(Self.web(slot(7) + 6 + Double(i), "192.0.2.71", path: "/miss/\(i)", status: 404)) }
        for i in 0..<20 { events.append(Self.web(slot(7) + 6.5 + Double(i), "192.0.2.71", path: "/page/\(i)", status: 200)) }
        decoys.append("192.0.2.71")     // 39 errors; its 200s are not errors

        // dns_tunnel: >= 30 distinct names with a first label of 32+ [a-z0-9] (not reverse lookups) within 5 minutes.
        for i in 0..<30 { events.append(Self.dns(slot(8) + 5 + Double(i) * 5, "10.250.0.80", name: Self.label(i, length: 40) + ".t.example.com")) }
        truth.insert("\(dnsTunnel)|10.250.0.80")
        for i in 0..<30 { events.append(Self.dns(slot(8) + 6 + Double(i) * 5, "10.250.0.81", name: Self.label(i, length: 40) + ".in-addr.arpa")) }
        decoys.append("10.250.0.81")    // reverse lookups are filtered
        for i in 0..<30 { events.append(Self.dns(slot(8) + 7 + Double(i) * 5, "10.250.0.82", name: Self.label(i, length: 31) + ".t.example.com")) }
        decoys.append("10.250.0.82")    // 31-character labels

        // Benign background all along: internal users logging in, browsing, resolving, connecting.
        for i in 0..<2_000 {
            let t = Double(i) * 2.85, host = "10.1.\(i % 4).\(i % 23 + 10)"
            switch i % 5 {
            case 0: events.append(Self.auth(t, host, user: "u\(i % 17)", success: i % 40 != 0))
            case 1: events.append(Self.web(t, "37.151.\(i % 9).\(i % 13)", path: ["/", "/pricing", "/docs", "/login"][i % 4], status: i % 50 == 1 ? 404 : 200))
            case 2: events.append(Self.dns(t, host, name: ["www.example.com", "api.github.com", "edge-0042.fra.fastly.net"][i % 3]))
            case 3: events.append(Self.flow(t, host, to: "10.0.1.\(i % 5 + 1)", port: [443, 22, 3306][i % 3]))
            default: events.append(Self.flow(t, host, to: "93.184.216.\(i % 7)", port: 443, bytes: 20_000 + i))
            }
        }

        let dir = try TempDir()
        let input = dir.path("labelled.ndjson"), alertsPath = dir.path("alerts.ndjson")
        let ordered = events.enumerated().sorted { ($0.element.seconds, $0.offset) < ($1.element.seconds, $1.offset) }.map(\.element.json)
        try (ordered.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let run = try CLI.run(["process", "--input", input, "--alerts", alertsPath])
        XCTAssertEqual(run.code, 0, run.stderr)

        var alerted: [String: Int] = [:]
        for a in try readNDJSON(alertsPath) {
            let rule = try XCTUnwrap((a["rule"] as? [String: Any])?["id"] as? String)
            let ip = try XCTUnwrap((a["group"] as? [String: Any])?["source.ip"] as? String, "\(a)")
            alerted["\(rule)|\(ip)", default: 0] += 1
        }
        let alerts = alerted.values.reduce(0, +)
        let truePositives = alerted.filter { truth.contains($0.key) }.map { min($0.value, 1) }.reduce(0, +)
        let precision = alerts == 0 ? 0 : Double(truePositives) / Double(alerts)
        let recall = Double(truth.filter { alerted[$0] != nil }.count) / Double(truth.count)
        XCTAssertEqual(truth.count, 10)
        XCTAssertEqual(precision, 1.0, "alerts without a label: \(alerted.filter { !truth.contains($0.key) || $0.value > 1 })")
        XCTAssertEqual(recall, 1.0, "labelled attacks not found: \(truth.subtracting(alerted.keys).sorted())")
        for decoy in decoys {
            XCTAssertFalse(alerted.keys.contains { $0.hasSuffix("|" + decoy) }, "decoy \(decoy) alerted")
        }
    }
}

