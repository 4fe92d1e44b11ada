import XCTest
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import Metrics

final class ExpositionTests: XCTestCase {
    func testCounterGaugeAndLabelEscaping() {
        let r = MetricRegistry()
        let c = Counter(r, "secstream_events_total", help: "Events read.\nSecond line with \\ backslash.",
                        labels: ["input": "a\"b\\c\nd", "outcome": "ok"])
        c.add(3)
        c.set(2) // never lowers a counter
        Gauge(r, "secstream_window_state_bytes", help: "State.").set(1.5)
        let text = ExpositionFormat.prometheusText.render(r.snapshot())
        XCTAssertEqual(text, """
            # HELP secstream_events_total Events read.\\nSecond line with \\\\ backslash.
            # TYPE secstream_events_total counter
            secstream_events_total{input="a\\"b\\\\c\\nd",outcome="ok"} 3
            # HELP secstream_window_state_bytes State.
            # TYPE secstream_window_state_bytes gauge
            secstream_window_state_bytes 1.5

            """)
    }

    func testHistogramBucketsSumAndCount() {
        let r = MetricRegistry()
        let h = Histogram(r, "secstream_s3_request_duration_seconds", help: "S3 latency.",
                          labels: ["operation": "PutObject"], buckets: [0.1, 1])
        h.observe(0.05); h.observe(0.1); h.observe(0.5); h.observe(7)
        let text = ExpositionFormat.prometheusText.render(r.snapshot())
        XCTAssertTrue(text.contains("""
            secstream_s3_request_duration_seconds_bucket{operation="PutObject",le="0.1"} 2
            secstream_s3_request_duration_seconds_bucket{operation="PutObject",le="1"} 3
            secstream_s3_request_duration_seconds_bucket{operation="PutObject",le="+Inf"} 4
            secstream_s3_request_duration_seconds_sum{operation="PutObject"} 7.65
            secstream_s3_request_duration_seconds_count{operation="PutObject"} 4
            """), text)
        let om = ExpositionFormat.openMetrics.render(r.snapshot())
        XCTAssertTrue(om.contains("secstream_s3_request_duration_seconds_bucket{operation=\"PutObject\",le=\"1.0\"} 3\n"), om)
    }

    func testOpenMetricsNamesAndEOF() {
        let r = MetricRegistry()
        Counter(r, "secstream_alerts_total", help: "Alerts \"written\".", labels: ["rule": "r1", "level": "high"]).add()
        BuildInfo.register(in: r, version: "1.2.3")
        let om = ExpositionFormat.openMetrics.render(r.snapshot())
        XCTAssertTrue(om.hasSuffix("# EOF\n"))
        XCTAssertTrue(om.contains("# TYPE secstream_alerts counter\n"), om)
        XCTAssertTrue(om.contains("# HELP secstream_alerts Alerts \\\"written\\\".\n"), om)
        XCTAssertTrue(om.contains("secstream_alerts_total{level=\"high\",rule=\"r1\"} 1\n"), om)
        XCTAssertTrue(om.contains("# TYPE secstream_build info\n"), om)
        XCTAssertTrue(om.contains("secstream_build_info{swift="), om)
        let text = ExpositionFormat.prometheusText.render(r.snapshot())
        XCTAssertFalse(text.contains("# EOF"))
        XCTAssertTrue(text.contains("# TYPE secstream_alerts_total counter\n"))
    }

    func testNegotiation() {
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        XCTAssertEqual(ExpositionFormat.negotiate(accept: prometheus), .openMetrics)
        XCTAssertEqual(ExpositionFormat.negotiate(accept: "text/plain"), .prometheusText)
        XCTAssertEqual(ExpositionFormat.negotiate(accept: nil), .prometheusText)
        XCTAssertEqual(ExpositionFormat.negotiate(accept: "application/openmetrics-text; q=0"), .prometheusText)
    }

    func testListenAddressParsing() throws {
        XCTAssertEqual(try ListenAddress.parse("127.0.0.1:0").get(), ListenAddress(host: "127.0.0.1", port: 0))
        XCTAssertEqual(try ListenAddress.parse("[::1]:9464").get(), ListenAddress(host: "::1", port: 9464))
        XCTAssertEqual(try ListenAddress.parse(":9464").get(), ListenAddress(host: "", port: 9464))
        for bad in ["127.0.0.1", "host:99999", "host:x", "::1:80", "[::1]80"] {
            guard case .failure(let e) = ListenAddress.parse(bad) else { return XCTFail("\(bad) accepted") }
            XCTAssertTrue(e.description.hasPrefix("invalid --metrics-listen '\(bad)'"), e.description)
        }
    }

    func testProcessCollector() {
        let names = ProcessCollector.collect().map(\.name)
        for n in ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                  "process_start_time_seconds", "process_virtual_memory_bytes"] {
            XCTAssertTrue(names.contains(n), n)
        }
        let start = ProcessCollector.collect().first { $0.name == "process_start_time_seconds" }!.series[0].value
        XCTAssertEqual(start, Date().timeIntervalSince1970, accuracy: 3600)
    }

    func testServerServesBothFormatsAndTextfileIsAtomic() throws {
        let exporter = try MetricsExporter(settings: MetricsSettings(listen: ListenAddress(host: "127.0.0.1", port: 0)), version: "t")
        try exporter.start()
        defer { exporter.abandon() }
        let port = exporter.boundAddress!.port
        XCTAssertNotEqual(port, 0)
        func get(_ accept: String?) throws -> (String, String) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/metrics")!)
            if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
            let done = DispatchSemaphore(value: 0)
            final class Box: @unchecked Sendable { var result: (String, String) = ("", "") }
            let box = Box()
            URLSession.shared.dataTask(with: request) { data, response, _ in
                box.result = (String(decoding: data ?? Data(), as: UTF8.self),
                              (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type") ?? "")
                done.signal()
            }.resume()
            XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
            return box.result
        }
        let (text, textType) = try get(nil)
        XCTAssertTrue(textType.hasPrefix("text/plain; version=0.0.4"), textType)
        XCTAssertTrue(text.contains("process_open_fds "), text)
        let (om, omType) = try get("application/openmetrics-text;version=1.0.0")
        XCTAssertTrue(omType.hasPrefix("application/openmetrics-text"), omType)
        XCTAssertTrue(om.hasSuffix("# EOF\n"))

        let dir = NSTemporaryDirectory() + "metrics-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TextfileWriter(path: dir + "/secstream.prom").write(exporter.exportable())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["secstream.prom"])
        let file = try String(contentsOfFile: dir + "/secstream.prom", encoding: .utf8)
        XCTAssertTrue(file.contains("secstream_build_info{"), file)
        XCTAssertFalse(file.contains("process_"), "node_exporter has its own process_* families")
    }

    func testBusyPortIsOneLineError() throws {
        let first = try MetricsHTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), registry: MetricRegistry())
        defer { first.stop() }
        XCTAssertThrowsError(try MetricsHTTPServer(address: first.boundAddress, registry: MetricRegistry())) {
            XCTAssertTrue("\($0)".contains("cannot listen"), "\($0)")
        }
    }
}
