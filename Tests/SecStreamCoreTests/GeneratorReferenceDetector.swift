import Foundation
@testable import SecStreamCore

/// A deliberately plain re-statement of the built-in pack (rules/*.yml) and of
/// the window semantics of docs/windows.md, used to check the generator's design on its
/// own: every truth record gets exactly one alert, decoys and background none.
/// It is a test oracle, not the engine (the end-to-end test runs the real one).
struct ReferenceDetector {
    typealias C = ScenarioConstants

    struct Alert: Hashable {
        var ruleID: String
        var sourceIP: String
        var timeMs: Int64
    }

    private(set) var alerts: [Alert] = []

    private struct Tumbling {
        var bucket: Int64 = .min
        var count = 0
        var values = Set<String>()
        var fired = false
    }

    private struct Sliding {
        var items: [(t: Int64, value: String, amount: Int64)] = []
    }

    private var tumbling: [String: Tumbling] = [:]
    private var sliding: [String: Sliding] = [:]
    private var precursorFirings: [String: [Int64]] = [:]

    private static func isPrivate(_ ip: String) -> Bool {
        let o = ip.split(separator: ".").compactMap { Int($0) }
        guard o.count == 4 else { return false }
        return o[0] == 10 || o[0] == 127 || (o[0] == 172 && (16...31).contains(o[1])) || (o[0] == 192 && o[1] == 168)
    }

    /// `^[a-z0-9]{32,}\.` (the rule's regex, checked by RulePackTests) without
    /// NSRegularExpression, which is slow on Linux.
    static func hasLongFirstLabel(_ name: String) -> Bool {
        var n = 0
        for c in name.utf8 {
            if c == UInt8(ascii: ".") { return n >= C.dnsTunnelMinLabel }
            guard (c >= 97 && c <= 122) || (c >= 48 && c <= 57) else { return false }
            n += 1
        }
        return false
    }

    /// Feeds events in event-time order (ties in arrival order).
    mutating func process(_ e: ParsedEvent, time t: Int64) {
        guard let ip = e.string("source.ip") else { return }
        let dataset = e.string("event.dataset")
        if e.string("event.category") == "authentication" {
            if e.string("event.outcome") == "failure" {
                countTumbling(C.RuleID.bruteForce, ip, t, value: nil, span: C.bruteForceSpanMs, threshold: C.bruteForceFailures)
                if countTumbling(C.RuleID.bruteForcePrecursor, ip, t, value: nil, span: C.bruteForceSpanMs,
                                 threshold: C.bruteForceFailures, emit: false) {
                    precursorFirings[ip, default: []].append(t)
                }
                slide(C.RuleID.passwordSpray, ip, t, value: e.string("user.name") ?? "", amount: 0,
                      span: C.spraySpanMs, threshold: Int64(C.sprayDistinctUsers), sum: false)
            } else if e.string("event.outcome") == "success" {
                let recent = (precursorFirings[ip] ?? []).filter { $0 > t - C.bruteForceSuccessSpanMs && $0 <= t }
                if !recent.isEmpty {
                    alerts.append(Alert(ruleID: C.RuleID.bruteForceSuccess, sourceIP: ip, timeMs: t))
                    precursorFirings[ip] = []
                }
            }
        }
        if dataset == "network", let dst = e.string("destination.ip") {
            if e.string("network.transport") == "tcp" {
                countTumbling(C.RuleID.portScan, ip, t, value: "\(e.int("destination.port") ?? -1)",
                              span: C.portScanSpanMs, threshold: C.portScanDistinctPorts)
            }
            if Self.isPrivate(dst) {
                slide(C.RuleID.hostSweep, ip, t, value: dst, amount: 0, span: C.hostSweepSpanMs,
                      threshold: Int64(C.hostSweepDistinctHosts), sum: false)
            } else if Self.isPrivate(ip) {
                slide(C.RuleID.exfiltration, ip, t, value: "", amount: e.int("source.bytes") ?? 0,
                      span: C.exfiltrationSpanMs, threshold: C.exfiltrationBytes, sum: true)
            }
        }
        if dataset == "web", [400, 401, 403, 404, 405].contains(e.int("http.response.status_code") ?? 0) {
            slide(C.RuleID.webScan, ip, t, value: e.string("url.path") ?? "", amount: 0, span: C.webScanSpanMs,
                  threshold: Int64(C.webScanDistinctPaths), sum: false)
        }
        if dataset == "dns", let name = e.string("dns.question.name"), Self.hasLongFirstLabel(name) {
            slide(C.RuleID.dnsTunnel, ip, t, value: name, amount: 0, span: C.dnsTunnelSpanMs,
                  threshold: Int64(C.dnsTunnelDistinctNames), sum: false)
        }
    }

    /// Epoch-aligned bucket; event_count when `value` is nil, else value_count.
    /// Fires once per bucket as soon as the threshold is met.
    @discardableResult
    private mutating func countTumbling(_ rule: String, _ ip: String, _ t: Int64, value: String?, span: Int64,
                                        threshold: Int, emit: Bool = true) -> Bool {
        let key = rule + "|" + ip
        var s = tumbling[key] ?? Tumbling()
        let bucket = t >= 0 ? t / span * span : (t - span + 1) / span * span
        if bucket != s.bucket { s = Tumbling(); s.bucket = bucket }
        s.count += 1
        if let v = value { s.values.insert(v) }
        var fired = false
        if !s.fired && (value == nil ? s.count : s.values.count) >= threshold {
            s.fired = true
            fired = true
            if emit { alerts.append(Alert(ruleID: rule, sourceIP: ip, timeMs: t)) }
        }
        tumbling[key] = s
        return fired
    }

    /// Sliding `(t - span, t]`, state reset after firing.
    private mutating func slide(_ rule: String, _ ip: String, _ t: Int64, value: String, amount: Int64,
                                span: Int64, threshold: Int64, sum: Bool) {
        let key = rule + "|" + ip
        var s = sliding[key] ?? Sliding()
        s.items.removeAll { $0.t <= t - span }
        s.items.append((t, value, amount))
        let measure = sum ? s.items.reduce(0) { $0 + $1.amount } : Int64(Set(s.items.map(\.value)).count)
        if measure >= threshold {
            alerts.append(Alert(ruleID: rule, sourceIP: ip, timeMs: t))
            s.items.removeAll()
        }
        sliding[key] = s
    }

    /// Runs the oracle over generator output (malformed lines skipped, late
    /// events put back in event-time order).
    static func alerts(for bytes: [UInt8]) -> [Alert] {
        var events: [(t: Int64, seq: Int, e: ParsedEvent)] = []
        for (i, line) in splitLines(bytes).enumerated() {
            guard let e = ParsedEvent(line), let t = e.timeMs else { continue }
            events.append((t, i, e))
        }
        events.sort { $0.t != $1.t ? $0.t < $1.t : $0.seq < $1.seq }
        var detector = ReferenceDetector()
        for x in events { detector.process(x.e, time: x.t) }
        return detector.alerts
    }
}
