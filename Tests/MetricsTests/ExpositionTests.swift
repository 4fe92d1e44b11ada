import XCTest
#if canImport(Glibc)
import Glibc
#endif
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

    /// Raw HTTP/1.1 on a socket: what a scraper or a stray client sends.
    private func exchange(_ port: Int, _ request: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        XCTAssertEqual(rc, 0)
        _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    func testServerAnswersOnlyMetricsAndClosesEachConnection() throws {
        let registry = MetricRegistry()
        Counter(registry, "secstream_lines_read_total", help: "Lines.").add(7)
        let server = try MetricsHTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), registry: registry)
        server.start()
        defer { server.stop() }
        let port = server.boundAddress.port
        let get = try exchange(port, "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertTrue(get.hasPrefix("HTTP/1.1 200 OK\r\n"), get)
        XCTAssertTrue(get.contains("\r\nConnection: close\r\n"), get)
        XCTAssertTrue(get.hasSuffix("secstream_lines_read_total 7\n"), get)
        let head = try exchange(port, "HEAD /metrics HTTP/1.1\r\n\r\n")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200 OK"), head)
        XCTAssertTrue(head.hasSuffix("\r\n\r\n"), "HEAD has no body: \(head)")
        XCTAssertTrue(try exchange(port, "GET /other HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 404 "))
        let post = try exchange(port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        XCTAssertTrue(post.hasPrefix("HTTP/1.1 405 ") && post.contains("Allow: GET, HEAD"), post)
        XCTAssertEqual(try exchange(port, "garbage\r\n\r\n"), "", "a request that is not HTTP is closed without an answer")
    }

    func testBusyPortIsOneLineError() throws {
        let first = try MetricsHTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), registry: MetricRegistry())
        defer { first.stop() }
        XCTAssertThrowsError(try MetricsHTTPServer(address: first.boundAddress, registry: MetricRegistry())) {
            XCTAssertTrue("\($0)".contains("cannot listen"), "\($0)")
        }
    }
}
