import Foundation
import SecStreamMask
import TestSupport
import XCTest

/// `process --archive --mask`: the workers mask each event for the archive
/// (the engine thread copies the bytes). Every archived line must be exactly
/// what the masker's reference walk makes of the unmasked run's line — over
/// generated events and planted ones with flat, nested and mixed keys, escapes,
/// whitespace, arrays of objects, missing fields and free text repeating masked values.
final class MaskArchiveWorkerTests: XCTestCase {
    static let keyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    static let policy = """
    key_file: key.hex
    fields:
      user.name: hmac
      source.ip: cryptopan
      destination.ip: cryptopan
      host.name: {action: hmac, length: 8, prefix: "h_"}
      message: patterns
    """

    static func planted(_ t: String, _ k: Int) -> String {
        switch k % 6 {
        case 0: return #"{"@timestamp":"\#(t)","user.name":"alice","source":{"ip":"10.1.2.3","port":1},"message":"Failed password for alice from 10.1.2.3"}"#
        case 1: return #"{ "@timestamp" : "\#(t)" , "user" : { "name" : "bob\u00e9" } , "tags":[ "a" , 1 , { "x" : 1 } ] }"#
        case 2: return #"{"@timestamp":"\#(t)","user":[{"name":"carol"},"x"],"destination.ip":"2001:db8::1","host":{"name":"web-\#(k)"}}"#
        case 3: return #"{"@timestamp":"\#(t)","event":{"action":"x"},"source":{"port":2}}"#
        case 4: return #"{"@timestamp":"\#(t)","user":{"na\u006de":"dave"},"message":"mail dave@example.com key AKIAIOSFODNN7EXAMPLE"}"#
        default: return #"{"@timestamp":"\#(t)","source.ip":"10.9.8.\#(k % 256)","source":{"ip":"10.9.9.9"},"message":"tab\there \"q\" 10.9.9.9","user":{"name":"erin","id":7}}"#
        }
    }

    func testWorkerMaskedArchiveIsTheReferenceWalkOfTheUnmaskedArchive() throws {
        let work = try ArchiveTestFiles.temporaryDirectory("mask-archive-worker")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let generated = work + "/generated.ndjson"
        try ArchiveTestFiles.generate(generated, events: 6000, span: "30m", lateFraction: 0, malformed: 0.002)
        var lines: [String] = []
        for (i, line) in try ArchiveTestFiles.lines(generated).enumerated() {
            lines.append(line)
            if i % 40 == 0, line.hasPrefix(#"{"@timestamp":""#) {
                let t = String(line.dropFirst(15).prefix(24))
                lines.append(Self.planted(t, i / 40))
            }
        }
        let input = work + "/in.ndjson"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: input))
        try Data((Self.keyHex + "\n").utf8).write(to: URL(fileURLWithPath: work + "/key.hex"))
        try Data(Self.policy.utf8).write(to: URL(fileURLWithPath: work + "/policy.yaml"))

        for threads in ["1", "2"] {
            let raw = work + "/raw-\(threads)", masked = work + "/masked-\(threads)"
            try SecStreamCLI.check(["process", "--input", input, "--archive", raw, "--alerts", "/dev/null", "--threads", threads])
            try SecStreamCLI.check(["process", "--input", input, "--archive", masked, "--alerts", "/dev/null", "--threads", threads,
                                    "--mask", work + "/policy.yaml"])
            let rawObjects = try ArchiveTestFiles.objects(under: raw)
            let maskedObjects = try ArchiveTestFiles.objects(under: masked)
            XCTAssertEqual(Set(rawObjects.keys), Set(maskedObjects.keys))
            let reference = EventMasker(policy: try MaskPolicyParser.load(path: work + "/policy.yaml"))
            var compared = 0, plantedSeen = 0
            for (key, bytes) in rawObjects {
                let before = try ArchiveTestFiles.decompressedLines(key, bytes)
                let after = try ArchiveTestFiles.decompressedLines(key, try XCTUnwrap(maskedObjects[key]))
                XCTAssertEqual(before.count, after.count, key)
                for (b, a) in zip(before, after) {
                    let expected = Array(b.utf8).withUnsafeBytes { String(decoding: reference.maskLineByWalk($0), as: UTF8.self) }
                    XCTAssertEqual(a, expected, "\(key): \(b)")
                    XCTAssertFalse(a.contains("\"10.1.2.3\"") || a.contains("alice") || a.contains("AKIAIOSFODNN7EXAMPLE"), a)
                    compared += 1
                    if b.contains("\"message\"") { plantedSeen += 1 }
                }
            }
            XCTAssertGreaterThan(compared, 6000)
            XCTAssertGreaterThan(plantedSeen, 50)
        }
    }
}
