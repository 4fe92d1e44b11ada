import Foundation
import SecStreamCore
import SecStreamPipeline
import TestSupport
import XCTest

/// `--geoip`: the MaxMind reader over MaxMind's own test databases (read in
/// place from `<shared>/testdata/maxmind`), the line enrichment, and
/// `process` end to end: a rule on `source.geo.country_iso_code` and the archive.
final class GeoIPTests: XCTestCase {
    static let directory = TestPaths.sharedDirectory + "/testdata/maxmind"
    static let city = directory + "/GeoIP2-City-Test.mmdb"
    static let asn = directory + "/GeoLite2-ASN-Test.mmdb"

    override func setUpWithError() throws {
        // Missing test data is a failure, never a skip.
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.city), "no \(Self.city)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.asn), "no \(Self.asn)")
    }

    func testCityAndASNLookups() throws {
        let city = try GeoIPDatabase(path: Self.city)
        XCTAssertEqual(city.databaseType, "GeoIP2-City")
        let london = try XCTUnwrap(city.lookup("81.2.69.160"))
        XCTAssertEqual(london.countryISOCode, "GB")
        XCTAssertEqual(london.cityName, "London")
        XCTAssertEqual(try XCTUnwrap(london.latitude), 51.5142, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(london.longitude), -0.0931, accuracy: 1e-9)
        XCTAssertNil(london.asNumber)
        let linkoping = try XCTUnwrap(city.lookup("89.160.20.128"))
        XCTAssertEqual(linkoping.countryISOCode, "SE")
        XCTAssertEqual(linkoping.cityName, "Linköping")

        let asn = try GeoIPDatabase(path: Self.asn)
        XCTAssertEqual(asn.databaseType, "GeoLite2-ASN")
        XCTAssertEqual(asn.lookup("1.128.0.0"), GeoIPRecord(asNumber: 1221, asOrganization: "Telstra Pty Ltd"))
        XCTAssertEqual(asn.lookup("89.160.20.128"), GeoIPRecord(asNumber: 29518, asOrganization: "Bredband2 AB"))

        // Misses: private, unknown, not an address at all.
        XCTAssertNil(city.lookup("10.0.0.1"))
        XCTAssertNil(asn.lookup("81.2.69.160"))
        XCTAssertNil(city.lookup("not-an-address"))
        XCTAssertNil(city.lookup(""))

        // Both databases: the ASN fills what the City database has not.
        let both = try GeoIPDatabases(paths: [Self.city, Self.asn])
        let merged = try XCTUnwrap(both.lookup("89.160.20.128"))
        XCTAssertEqual(merged.countryISOCode, "SE")
        XCTAssertEqual(merged.asNumber, 29518)
        XCTAssertEqual(merged.asOrganization, "Bredband2 AB")
        XCTAssertNil(both.lookup("192.168.1.1"))
    }

    func testDatabaseThatCannotBeOpened() throws {
        XCTAssertThrowsError(try GeoIPDatabase(path: "/nonexistent/City.mmdb")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/City.mmdb"), "\(error)")
        }
        // Not a MaxMind database.
        XCTAssertThrowsError(try GeoIPDatabase(path: Self.directory + "/README.md")) { error in
            XCTAssertTrue("\(error)".contains("README.md"), "\(error)")
        }
    }

    // MARK: - process end to end

    private static let ruleYAML = """
    title: Connection From Sweden
    id: 0d6c1a8e-5b1f-4b8e-9a0e-3f4c2b1a9e51
    logsource: {category: network_connection}
    detection:
      selection:
        source.geo.country_iso_code: SE
      condition: selection
    level: high
    """

    private static let events = [
        #"{"@timestamp":"2026-11-20T10:00:00Z","event":{"dataset":"network"},"source":{"ip":"81.2.69.160"},"destination":{"ip":"1.128.0.0"}}"#,
        #"{"@timestamp":"2026-11-20T10:00:01Z","event":{"dataset":"network"},"source":{"ip":"89.160.20.128"},"destination":{"ip":"10.0.0.5"}}"#,
        #"{"@timestamp":"2026-11-20T10:00:02Z","event":{"dataset":"network"},"source.ip":"10.1.2.3","destination.ip":"192.168.0.9"}"#,
        #"{"@timestamp":"2026-11-20T10:00:03Z","event":{"dataset":"network"},"message":"no addresses"}"#,
    ]

    func testProcessEnrichesBeforeDetectionAndArchives() throws {
        let work = try ArchiveTestFiles.temporaryDirectory("geoip")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = work + "/events.ndjson"
        let rule = work + "/sweden.yml"
        try (Self.events.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        try Self.ruleYAML.write(toFile: rule, atomically: true, encoding: .utf8)

        let r = try SecStreamCLI.check(["process", "--no-default-rules", "--rules", rule, "--input", input,
                                        "--geoip", Self.city, "--geoip", Self.asn, "--lateness", "0",
                                        "--format", "ndjson", "--archive", work + "/archive", "--threads", "2"])
        let alerts = ArchiveTestFiles.splitLines(r.stdout)
        XCTAssertEqual(alerts.count, 1, "one alert, for the Swedish source: \(alerts)")
        var lines: [Int] = []
        for text in alerts {
            let alert = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            XCTAssertEqual((alert["rule"] as? [String: Any])?["id"] as? String, "0d6c1a8e-5b1f-4b8e-9a0e-3f4c2b1a9e51")
            for s in alert["samples"] as? [[String: Any]] ?? [] { if let n = s["line"] as? Int { lines.append(n) } }
        }
        XCTAssertEqual(lines, [2], "the event on line 2 (89.160.20.128, SE): \(alerts)")

        // Without --geoip the rule never fires: the fields are not in the input.
        let plain = try SecStreamCLI.check(["process", "--no-default-rules", "--rules", rule, "--input", input,
                                            "--lateness", "0", "--format", "ndjson", "--archive", work + "/plain"])
        XCTAssertEqual(ArchiveTestFiles.splitLines(plain.stdout), [])
        // `replay --geoip` enriches an archive written without it.
        let replayPlain = try SecStreamCLI.check(["replay", work + "/plain", "--no-default-rules", "--rules", rule,
                                                  "--geoip", Self.city, "--format", "ndjson"])
        XCTAssertEqual(ArchiveTestFiles.splitLines(replayPlain.stdout).count, 1, replayPlain.stderr)

        // The archive holds the enriched lines.
        var archived: [[String: Any]] = []
        for (key, bytes) in try ArchiveTestFiles.objects(under: work + "/archive") {
            for line in try ArchiveTestFiles.decompressedLines(key, bytes) {
                archived.append(try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line))
            }
        }
        XCTAssertEqual(archived.count, 4)
        archived.sort { ($0["@timestamp"] as! String) < ($1["@timestamp"] as! String) }
        let london = archived[0]
        XCTAssertEqual(london["source.geo.country_iso_code"] as? String, "GB")
        XCTAssertEqual(london["source.geo.city_name"] as? String, "London")
        XCTAssertEqual(london["source.geo.location.lat"] as? Double, 51.5142)
        XCTAssertEqual(london["source.geo.location.lon"] as? Double, -0.0931)
        XCTAssertNil(london["source.as.number"], "81.2.69.160 is not in the ASN test database")
        XCTAssertEqual(london["destination.as.number"] as? Int, 1221)
        XCTAssertEqual(london["destination.as.organization.name"] as? String, "Telstra Pty Ltd")
        XCTAssertNil(london["destination.geo.country_iso_code"])
        let sweden = archived[1]
        XCTAssertEqual(sweden["source.geo.country_iso_code"] as? String, "SE")
        XCTAssertEqual(sweden["source.geo.city_name"] as? String, "Linköping")
        XCTAssertEqual(sweden["source.as.number"] as? Int, 29518)
        XCTAssertEqual(sweden["source.as.organization.name"] as? String, "Bredband2 AB")
        XCTAssertFalse(sweden.keys.contains { $0.hasPrefix("destination.geo") || $0.hasPrefix("destination.as") })
        // Addresses not in the databases, or none at all: the line as read.
        let archivedLines = try ArchiveTestFiles.objects(under: work + "/archive").flatMap { try ArchiveTestFiles.decompressedLines($0.key, $0.value) }
        XCTAssertTrue(archivedLines.contains(Self.events[2]))
        XCTAssertTrue(archivedLines.contains(Self.events[3]))

        // `query` sees the enriched fields.
        let swedes = try SecStreamCLI.check(["query", work + "/archive", "--where", #"source.geo.country_iso_code = "SE""#])
        XCTAssertEqual(swedes.lines.count, 1, swedes.stderr)
        XCTAssertTrue(swedes.lines.first?.contains("89.160.20.128") ?? false, swedes.stderr)

        // Replaying the enriched archive with --geoip adds nothing twice, and the rule fires as live.
        let replay = try SecStreamCLI.check(["replay", work + "/archive", "--no-default-rules", "--rules", rule,
                                             "--geoip", Self.city, "--geoip", Self.asn, "--format", "ndjson"])
        XCTAssertEqual(ArchiveTestFiles.splitLines(replay.stdout).count, 1, replay.stderr)
    }

    /// With `--field-map`, the address is read from the event field `source.ip` maps to.
    func testAddressThroughFieldMap() throws {
        let work = try ArchiveTestFiles.temporaryDirectory("geoip-map")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = work + "/zeek.ndjson", rule = work + "/sweden.yml", map = work + "/map.yml"
        try (#"{"@timestamp":"2026-11-20T10:00:00Z","event":{"dataset":"network"},"id.orig_h":"89.160.20.128"}"# + "\n"
             + #"{"@timestamp":"2026-11-20T10:00:01Z","event":{"dataset":"network"},"id.orig_h":"81.2.69.160"}"# + "\n")
            .write(toFile: input, atomically: true, encoding: .utf8)
        try Self.ruleYAML.write(toFile: rule, atomically: true, encoding: .utf8)
        try "source.ip: id.orig_h\n".write(toFile: map, atomically: true, encoding: .utf8)
        let r = try SecStreamCLI.check(["process", "--no-default-rules", "--rules", rule, "--field-map", map, "--input", input,
                                        "--geoip", Self.city, "--lateness", "0", "--format", "ndjson", "--archive", work + "/archive"])
        XCTAssertEqual(ArchiveTestFiles.splitLines(r.stdout).count, 1, r.stderr)
        let archived = try ArchiveTestFiles.objects(under: work + "/archive").flatMap { try ArchiveTestFiles.decompressedLines($0.key, $0.value) }
        XCTAssertEqual(archived.filter { $0.contains(#""source.geo.country_iso_code":"SE""#) }.count, 1, "\(archived)")
        XCTAssertEqual(archived.filter { $0.contains(#""source.geo.country_iso_code":"GB""#) }.count, 1, "\(archived)")
    }

    func testUnopenableDatabaseIsUsageError() throws {
        let r = try SecStreamCLI.run(["process", "--input", "/dev/null", "--geoip", "/nonexistent/GeoIP2-City.mmdb"])
        XCTAssertEqual(r.code, 2, r.stderr)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("/nonexistent/GeoIP2-City.mmdb"), r.stderr)
    }

    /// Masking before detection would hand GeoIP pseudonymised addresses: refused.
    func testGeoIPWithMaskBeforeDetectIsUsageError() throws {
        let r = try SecStreamCLI.run(["process", "--input", "/dev/null", "--geoip", Self.city, "--mask-before-detect",
                                      "--mask", "/nonexistent/policy.yml"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--geoip and --mask-before-detect cannot be combined"), r.stderr)
    }
}
