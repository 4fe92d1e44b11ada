import Foundation
import TestSupport
import XCTest

/// The built-in processing pipelines (`pipelines/*.yml`) on small files of
/// real-format events (`fixtures/pipelines/<name>/events.ndjson`), with
/// SigmaHQ rules read in place from the shared test data and small rules
/// under `fixtures/pipelines/<name>/rules/`. Every expectation says which
/// lines of the fixture each rule matches, written by reading the events and
/// the rule, not by running secstream.
final class BuiltinPipelineTests: XCTestCase {
    private static let fixtures = CLI.packageRoot.appendingPathComponent("fixtures/pipelines").path

    private func fixture(_ pipeline: String) -> String { "\(Self.fixtures)/\(pipeline)/events.ndjson" }
    private func fixtureRule(_ pipeline: String, _ file: String) -> String { "\(Self.fixtures)/\(pipeline)/rules/\(file)" }
    private func builtinRule(_ file: String) -> String { CLI.packageRoot.appendingPathComponent("rules/\(file)").path }

    /// A SigmaHQ rule read in place (never copied into the project).
    private func sigmahq(_ path: String) throws -> String {
        let full = TestPaths.sharedDirectory + "/testdata/sigmahq/rules/" + path
        guard FileManager.default.fileExists(atPath: full) else {
            XCTFail("SigmaHQ rules not found at \(full) (the shared test data sits next to the repository)")
            throw CocoaError(.fileNoSuchFile)
        }
        return full
    }

    /// `secstream process --no-default-rules --rules ... --pipeline NAME --input FIXTURE --lateness 0`:
    /// rule id -> the fixture lines its alerts name, and the run's stderr.
    /// `also`: pipelines named before `pipeline` (the fixture is `pipeline`'s).
    private func run(pipeline: String, also: [String] = [], rules: [String], file: StaticString = #filePath, line: UInt = #line) throws -> (matches: [String: [Int]], stderr: String) {
        var args = ["process", "--no-default-rules"]
        for p in also + [pipeline] { args += ["--pipeline", p] }
        args += ["--input", fixture(pipeline), "--lateness", "0"]
        for r in rules { args += ["--rules", r] }
        let r = try CLI.run(args)
        XCTAssertEqual(r.code, 0, r.stderr, file: file, line: line)
        var matches: [String: Set<Int>] = [:]
        for text in r.stdoutLines {
            guard let alert = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let rule = alert["rule"] as? [String: Any], let id = rule["id"] as? String else {
                XCTFail("not an alert: \(text)", file: file, line: line)
                continue
            }
            let samples = alert["samples"] as? [[String: Any]] ?? []
            XCTAssertFalse(samples.isEmpty, "alert without samples: \(text)", file: file, line: line)
            for s in samples {
                if let n = s["line"] as? Int { matches[id, default: []].insert(n) }
            }
        }
        return (matches.mapValues { $0.sorted() }, r.stderr)
    }

    /// The id of a rule file (its `id:` line).
    private func ruleID(_ path: String) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("id:") }) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return line.dropFirst(3).trimmingCharacters(in: .whitespaces)
    }

    /// Runs the rules and checks that each matched exactly the expected lines
    /// (an empty list: none) and that no other rule alerted.
    private func check(pipeline: String, also: [String] = [], _ expected: [(rule: String, lines: [Int])],
                       file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run(pipeline: pipeline, also: also, rules: expected.map(\.rule), file: file, line: line)
        var want: [String: [Int]] = [:]
        for e in expected where !e.lines.isEmpty { want[try ruleID(e.rule)] = e.lines }
        for e in expected {
            let id = try ruleID(e.rule)
            XCTAssertEqual(result.matches[id] ?? [], e.lines,
                           "\(pipeline): \((e.rule as NSString).lastPathComponent) matched lines \(result.matches[id] ?? []), expected \(e.lines)",
                           file: file, line: line)
        }
        XCTAssertEqual(Set(result.matches.keys), Set(want.keys), "alerts only from the expected rules", file: file, line: line)
        return result.stderr
    }

    // MARK: - ecs

    func testECSRecognisesWinlogbeatZeekCloudTrailFilebeatAndGenerateEvents() throws {
        let stderr = try check(pipeline: "ecs", [
            // Sysmon 1 only: line 2 is certutil without a download, line 3 the same
            // command from Security 4688 (process_creation is Sysmon's event 1).
            (try sigmahq("windows/process_creation/proc_creation_win_certutil_download.yml"), [1]),
            // Security 4625 with SubStatus 0xc0000072 (line 5: a wrong password).
            (try sigmahq("windows/builtin/security/win_security_susp_failed_logon_reasons.yml"), [4]),
            (fixtureRule("ecs", "win_security_failed_logon_svc_backup.yml"), [5]),
            // Zeek dns in ECS (dns.question.name); not the Sysmon 22 query of line 14.
            (try sigmahq("network/zeek/zeek_dns_torproxy.yml"), [6]),
            (fixtureRule("ecs", "dns_tor2web_generic.yml"), [6]),
            (fixtureRule("ecs", "zeek_conn_completed_internal_origin.yml"), [7]),
            // CloudTrail in ECS (event.action/event.provider; line 9 is DescribeTrails).
            (try sigmahq("cloud/aws/cloudtrail/aws_cloudtrail_disable_logging.yml"), [8]),
            (fixtureRule("ecs", "aws_org_trail_stopped.yml"), [8]),
            // Filebeat system.auth from sshd; line 11 has the words from stunnel.
            (try sigmahq("linux/builtin/sshd/lnx_sshd_susp_ssh.yml"), [10]),
            // The built-in pack's generic category: generate's events (nested and
            // dotted) and Winlogbeat's logon failures (event.category authentication).
            (builtinRule("auth_failed_login.yml"), [4, 5, 12]),
            (builtinRule("auth_successful_login.yml"), [13]),
        ])
        XCTAssertFalse(stderr.contains("skipped"), stderr)
    }

    /// The built-in pack and `generate`: every built-in rule is recognised by
    /// the default pipeline, and the pack's alerts are the same with `ecs`
    /// named and with no pipeline named.
    func testECSRecognisesTheBuiltinPackOnGenerateOutput() throws {
        let dir = try TempDir()
        let events = dir.path("events.ndjson")
        let g = try CLI.run(["generate", "--events", "20000", "--seed", "11", "-o", events])
        XCTAssertEqual(g.code, 0, g.stderr)
        let strict = try CLI.run(["process", "--input", events, "--strict"])
        XCTAssertEqual(strict.code, 0, "every built-in rule's logsource is recognised: \(strict.stderr)")
        XCTAssertFalse(strict.stdoutLines.isEmpty, "the pack found the attacks")
        let named = try CLI.run(["process", "--input", events, "--pipeline", "ecs"])
        XCTAssertEqual(named.code, 0, named.stderr)
        XCTAssertEqual(named.stdout, strict.stdout)
    }

    // MARK: - windows-evtx, windows-audit

    /// evtx_dump JSON: Sysmon and Security EventData, a System event whose
    /// EventID carries Qualifiers (`#text`), and the channels that log into
    /// UserData (Security 1102, TerminalServices 21, WMI-Activity 5858).
    func testWindowsEvtxRoutesByChannelAndEventIDAndReadsEventDataAndUserData() throws {
        let stderr = try check(pipeline: "windows-evtx", [
            // Sysmon 1 only: line 2 is certutil -hashfile, line 3 the same download
            // from Security 4688 (process_creation is Sysmon's event 1 here).
            (try sigmahq("windows/process_creation/proc_creation_win_certutil_download.yml"), [1]),
            // Security 1102 from the Eventlog provider (its fields are in UserData).
            (try sigmahq("windows/builtin/security/win_security_audit_log_cleared.yml"), [4]),
            // System 7045 with {"#attributes":{"Qualifiers":16384},"#text":7045}; line 6 is gupdate.
            (try sigmahq("windows/builtin/system/service_control_manager/win_system_service_install_paexec.yml"), [5]),
            // Address in UserData.EventXML; line 8 logs on from a LAN address.
            (try sigmahq("windows/builtin/terminalservices/win_terminalservices_rdp_ngrok.yml"), [7]),
            // Operation in UserData.Operation_ClientFailure; line 10 is BackupEventlog.
            (try sigmahq("windows/builtin/wmi/win_wmi_activity_nteventlogfile_cleareventlog.yml"), [9]),
        ])
        XCTAssertFalse(stderr.contains("skipped"), stderr)
    }

    /// windows-audit in front of windows-evtx (pySigma's windows_audit_pipeline):
    /// process_creation is Security 4688 with NewProcessName for Image, and no
    /// longer Sysmon 1; the other routes are unchanged.
    func testWindowsAuditRoutesProcessCreationToSecurity4688() throws {
        let stderr = try check(pipeline: "windows-evtx", also: ["windows-audit"], [
            (try sigmahq("windows/process_creation/proc_creation_win_certutil_download.yml"), [3]),
            (try sigmahq("windows/builtin/security/win_security_audit_log_cleared.yml"), [4]),
            (try sigmahq("windows/builtin/wmi/win_wmi_activity_nteventlogfile_cleareventlog.yml"), [9]),
        ])
        XCTAssertFalse(stderr.contains("skipped"), stderr)
    }

    // MARK: - zeek

    /// Zeek's `ts` is epoch seconds with a fraction (the pipeline's `time_unit: s`).
    func testZeekTimesAreEpochSeconds() throws {
        let r = try CLI.run(["process", "--no-default-rules", "--pipeline", "zeek", "--lateness", "0",
                             "--input", fixture("zeek"), "--rules", fixtureRule("zeek", "zeek_http_tor2web_host.yml")])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdoutLines.count, 1, r.stdoutText)
        // ts 1715677945.09031 (python3 -c 'import datetime; print(datetime.datetime.utcfromtimestamp(1715677945.09031))')
        XCTAssertTrue(r.stdoutText.contains(#""first_seen":"2024-05-14T09:12:25.090Z""#), r.stdoutText)
    }

    func testZeekRecognisesLogsByPath() throws {
        let stderr = try check(pipeline: "zeek", [
            (try sigmahq("network/zeek/zeek_dns_torproxy.yml"), [2]),
            (fixtureRule("ecs", "dns_tor2web_generic.yml"), [2]),
            // Line 8 has the same name as an HTTP host: only the http rule sees it.
            (fixtureRule("zeek", "zeek_http_tor2web_host.yml"), [8]),
            // WebDAV PUT out (line 5 goes to an internal address).
            (try sigmahq("network/zeek/zeek_http_webdav_put_request.yml"), [4]),
            // A remote-execution pipe (line 7 is PSEXESVC, which the rule leaves out).
            (try sigmahq("network/zeek/zeek_smb_converted_win_susp_psexec.yml"), [6]),
            (fixtureRule("ecs", "zeek_conn_completed_internal_origin.yml"), [1]),
            // Not Zeek data: recognised by no add_condition of this pipeline, skipped.
            (try sigmahq("windows/process_creation/proc_creation_win_certutil_download.yml"), []),
        ])
        XCTAssertTrue(stderr.contains("windows/process_creation"), "the Windows rule is reported as skipped: \(stderr)")
    }

    // MARK: - cloudtrail

    func testCloudTrailRecognisesRawRecords() throws {
        let stderr = try check(pipeline: "cloudtrail", [
            // StopLogging and DeleteTrail, not DescribeTrails.
            (try sigmahq("cloud/aws/cloudtrail/aws_cloudtrail_disable_logging.yml"), [1, 3]),
            (try sigmahq("cloud/aws/cloudtrail/aws_iam_s3browser_user_or_accesskey_creation.yml"), [4]),
            (fixtureRule("ecs", "aws_org_trail_stopped.yml"), [1]),
            // The assumed role's key creation, not the IAM user's of line 6.
            (fixtureRule("cloudtrail", "aws_ci_role_creates_access_key.yml"), [5]),
            (try sigmahq("network/zeek/zeek_dns_torproxy.yml"), []),
        ])
        XCTAssertTrue(stderr.contains("zeek"), "the Zeek rule is reported as skipped: \(stderr)")
    }

    // MARK: - linux

    func testLinuxRecognisesSyslogJSONByProgramAndFacility() throws {
        let stderr = try check(pipeline: "linux", [
            // sshd only: line 4 has "error in libcrypto" from stunnel.
            (try sigmahq("linux/builtin/sshd/lnx_sshd_susp_ssh.yml"), [1]),
            (fixtureRule("linux", "lnx_auth_failed_password.yml"), [2]),
            (fixtureRule("linux", "lnx_sudo_root_shell.yml"), [3]),
            // A bare `product: linux` rule: any record.
            (try sigmahq("linux/builtin/lnx_privileged_user_creation.yml"), [5]),
            // crontab's REPLACE (line 7 is a CRON job run).
            (try sigmahq("linux/builtin/cron/lnx_cron_crontab_file_modification.yml"), [6]),
            // Sysmon for Linux process creation is not syslog: skipped.
            (try sigmahq("linux/process_creation/proc_creation_lnx_base64_decode.yml"), []),
        ])
        XCTAssertTrue(stderr.contains("linux/process_creation"), "the process_creation rule is reported as skipped: \(stderr)")
    }

    // MARK: - pySigma

    /// Every pipeline loads with pySigma's ProcessingPipeline and routes each
    /// rule (the built-in pack, the fixtures' rules) by at most one condition.
    func testPipelinesLoadInPySigma() throws {
        try PythonVenv.requireVenv()
        let root = CLI.packageRoot.path
        let pipelines = try FileManager.default.contentsOfDirectory(atPath: root + "/pipelines")
            .filter { $0.hasSuffix(".yml") }.sorted().map { root + "/pipelines/" + $0 }
        XCTAssertTrue(pipelines.contains(root + "/pipelines/ecs.yml"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: PythonVenv.python)
        p.arguments = [root + "/scripts/check-pipelines.py"] + pipelines + ["--rules", root + "/rules", Self.fixtures]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, stdout + stderr)
        for name in ["ecs", "zeek", "cloudtrail", "linux", "windows-evtx", "windows-audit"] {
            XCTAssertTrue(stdout.contains("\(name): "), stdout)
        }
    }
}
