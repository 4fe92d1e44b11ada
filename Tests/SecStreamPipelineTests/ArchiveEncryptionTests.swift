import Codecs
import Foundation
import SecStreamArchive
import SecStreamCore
import TestSupport
import XCTest

/// `process --archive --encrypt KEYRING`, `query`/`replay --keyring`: AES-256-GCM
/// envelopes (secstream-archive(5)), tamper detection, rotation, wrong keys.
final class ArchiveEncryptionTests: XCTestCase {
    static let key1 = "k2026-01 " + String(repeating: "11", count: 32)
    static let key2 = "k2026-02 " + String(repeating: "2f", count: 32)

    func write(_ text: String, _ path: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }

    func testEnvelopeRoundTripAndEveryBitOfTheHeaderAndTag() throws {
        let ring = ArchiveKeyring(keys: [("a", Array(repeating: 1, count: 32)), ("b", Array(repeating: 2, count: 32))])
        let plain = Array("{\"x\":1}\n".utf8) + Array(repeating: 0x41, count: 1000)
        let sealed = ArchiveEnvelope.seal(plain, keyring: ring)
        XCTAssertEqual(Array(sealed.prefix(8)), Array("SSARCE01".utf8))
        XCTAssertEqual(sealed[8], 1)
        XCTAssertEqual(sealed[9], UInt8(ascii: "b"), "sealed under the last (current) key")
        XCTAssertEqual(try ArchiveEnvelope.open(sealed, keyring: ring), plain)
        XCTAssertNotEqual(ArchiveEnvelope.seal(plain, keyring: ring), sealed, "a fresh data key and nonces per object")
        // Every bit of the header and of the last 16 bytes (the tag), and bits across the body.
        let positions = Array(0..<(82 * 8)) + Array(((sealed.count - 16) * 8)..<(sealed.count * 8)) + stride(from: 82 * 8, to: sealed.count * 8, by: 97).map { $0 }
        for bit in positions {
            var tampered = sealed
            tampered[bit / 8] ^= UInt8(1 << (bit % 8))
            XCTAssertThrowsError(try ArchiveEnvelope.open(tampered, keyring: ring), "bit \(bit) flipped still opens")
        }
        for cut in [0, 8, 40, 81, 97, sealed.count - 1] {
            XCTAssertThrowsError(try ArchiveEnvelope.open(Array(sealed.prefix(cut)), keyring: ring), "truncated to \(cut)")
        }
        let wrong = ArchiveKeyring(keys: [("b", Array(repeating: 3, count: 32))])
        XCTAssertThrowsError(try ArchiveEnvelope.open(sealed, keyring: wrong)) { XCTAssertTrue("\($0)".contains("wrong key"), "\($0)") }
        let old = ArchiveKeyring(keys: [("a", Array(repeating: 1, count: 32))])
        XCTAssertThrowsError(try ArchiveEnvelope.open(sealed, keyring: old)) { XCTAssertTrue("\($0)".contains("'b'"), "\($0)") }
    }

    func testKeyringErrorsNameFileAndLine() throws {
        let work = try ArchiveTestFiles.temporaryDirectory("keyring")
        defer { try? FileManager.default.removeItem(atPath: work) }
        for (text, message) in [("# keys\nk1 abcd\n", "ring:2: key 'k1' must be 64 hex"),
                                ("\(Self.key1)\n\(Self.key1)\n", "ring:2: key id 'k2026-01' appears twice"),
                                ("only-an-id\n", "ring:1: a key line is 'ID HEX64'")] {
            try write(text, work + "/ring")
            XCTAssertThrowsError(try ArchiveKeyring.load(path: work + "/ring", flag: "--keyring")) { error in
                XCTAssertEqual((error as! RunError).exitCode, 2)
                XCTAssertTrue((error as! RunError).message.hasSuffix(message) || (error as! RunError).message.contains(message), "\(error)")
            }
        }
    }

    func testEncryptedArchiveQueryReplayRotationTamperAndWrongKey() throws {
        let work = try ArchiveTestFiles.temporaryDirectory("archive-encrypt")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = work + "/in.ndjson"
        try ArchiveTestFiles.generate(input, events: 6000, span: "3h", malformed: 0)
        try write(Self.key1 + "\n", work + "/ring1")
        try write("# rotated\n" + Self.key1 + "\n" + Self.key2 + "\n", work + "/ring2")
        try SecStreamCLI.check(["process", "--input", input, "--archive", work + "/plain", "--alerts", work + "/live.ndjson"])
        try SecStreamCLI.check(["process", "--input", input, "--archive", work + "/enc", "--alerts", "/dev/null",
                                "--encrypt", work + "/ring1"])
        let objects = try ArchiveTestFiles.objects(under: work + "/enc")
        XCTAssertEqual(Set(objects.keys), Set(try ArchiveTestFiles.objects(under: work + "/plain").keys))
        for (key, bytes) in objects {
            XCTAssertEqual(Array(bytes.prefix(17)), Array("SSARCE01".utf8) + [8] + Array("k2026-01".utf8), key)
            XCTAssertFalse(String(decoding: bytes, as: UTF8.self).contains("@timestamp"), key)
        }
        // Another tool reads the format as secstream-archive(5) documents it
        // (Python's `cryptography`): the plaintext is the plain archive's object.
        let plainObjects = try ArchiveTestFiles.objects(under: work + "/plain")
        let reader = """
        import sys
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        blob = sys.stdin.buffer.read()
        keyring = {sys.argv[1]: bytes.fromhex(sys.argv[2])}
        assert blob[:8] == b"SSARCE01"
        n = blob[8]; kid = blob[9:9 + n].decode()
        dk = AESGCM(keyring[kid]).decrypt(blob[9 + n:21 + n], blob[21 + n:69 + n], blob[:9 + n])
        sys.stdout.buffer.write(AESGCM(dk).decrypt(blob[69 + n:81 + n], blob[81 + n:], blob[:81 + n]))
        """
        for key in objects.keys.sorted().prefix(3) {
            let parts = Self.key1.split(separator: " ").map(String.init)
            let opened = try PythonVenv.runInline(reader, arguments: parts, stdin: Data(objects[key]!))
            XCTAssertEqual(Array(opened), plainObjects[key], key)
        }
        // Without the keyring: each object named, skipped, exit 3.
        let locked = try SecStreamCLI.check(["query", work + "/enc"], expect: 3)
        XCTAssertTrue(locked.stdout.isEmpty)
        XCTAssertTrue(locked.stderr.contains("encrypted object: pass --keyring"), locked.stderr)
        // With it: the same rows as the plain archive, the same alerts on replay.
        let plainRows = try SecStreamCLI.check(["query", work + "/plain", "--quiet"]).stdout
        XCTAssertEqual(try SecStreamCLI.check(["query", work + "/enc", "--keyring", work + "/ring1", "--quiet"]).stdout, plainRows)
        try SecStreamCLI.check(["replay", work + "/enc", "--keyring", work + "/ring1", "--alerts", work + "/replay.ndjson"])
        let live = try ArchiveTestFiles.alertIds(file: work + "/live.ndjson")
        XCTAssertFalse(live.isEmpty)
        XCTAssertEqual(try ArchiveTestFiles.alertIds(file: work + "/replay.ndjson"), live)

        // Rotation: a second input written under the new key; the rotated keyring reads both.
        let second = work + "/second.ndjson"
        try ArchiveTestFiles.generate(second, events: 2000, seed: 9, span: "1h", malformed: 0)
        try SecStreamCLI.check(["process", "--input", second, "--archive", work + "/enc", "--alerts", "/dev/null",
                                "--encrypt", work + "/ring2"])
        let all = try ArchiveTestFiles.objects(under: work + "/enc")
        let newer = all.filter { $0.key.contains("/second-") }
        XCTAssertFalse(newer.isEmpty)
        for (key, bytes) in newer { XCTAssertEqual(String(decoding: bytes[9..<17], as: UTF8.self), "k2026-02", key) }
        let both = try SecStreamCLI.check(["query", work + "/enc", "--keyring", work + "/ring2", "--count-by", "event.dataset"])
        XCTAssertTrue(both.stderr.contains("(0 corrupt"), both.stderr)
        let oldOnly = try SecStreamCLI.check(["query", work + "/enc", "--keyring", work + "/ring1", "--quiet"], expect: 3)
        for key in newer.keys { XCTAssertTrue(oldOnly.stderr.contains("\(key): corrupt object skipped: encrypted under key 'k2026-02'"), oldOnly.stderr) }
        XCTAssertEqual(oldOnly.stdout, plainRows, "the old objects still read")

        // One bit flipped in a header, a body and a tag; one object truncated: each named and skipped.
        let keys = objects.keys.sorted()
        let header = keys[0], body = keys[1], tag = keys[2], cut = keys[3]
        func damage(_ key: String, _ change: (inout [UInt8]) -> Void) throws {
            var bytes = all[key]!
            change(&bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: work + "/enc/" + key))
        }
        try damage(header) { $0[30] ^= 0x01 }
        try damage(body) { $0[$0.count / 2] ^= 0x80 }
        try damage(tag) { $0[$0.count - 1] ^= 0x10 }
        try damage(cut) { $0.removeLast($0.count / 2) }
        let damaged = try SecStreamCLI.check(["query", work + "/enc", "--keyring", work + "/ring2", "--count-by", "event.dataset"], expect: 3)
        for key in [header, body, tag, cut] { XCTAssertTrue(damaged.stderr.contains("\(key): corrupt object skipped"), "\(key): \(damaged.stderr)") }
        XCTAssertTrue(damaged.stderr.contains("(4 corrupt"), damaged.stderr)
        let replayed = try SecStreamCLI.check(["replay", work + "/enc", "--keyring", work + "/ring2", "--alerts", "/dev/null"], expect: 3)
        for key in [header, body, tag, cut] { XCTAssertTrue(replayed.stderr.contains("\(key): corrupt object skipped"), "\(key): \(replayed.stderr)") }

        // A wrong key under the right id: every object refused.
        try write("k2026-01 " + String(repeating: "ab", count: 32) + "\n", work + "/wrong")
        let wrong = try SecStreamCLI.check(["query", work + "/plain-and-wrong".replacingOccurrences(of: "-and-wrong", with: "") , "--keyring", work + "/wrong", "--quiet"])
        XCTAssertEqual(wrong.stdout, plainRows, "plain objects need no key")
        let refused = try SecStreamCLI.check(["query", work + "/enc", "--keyring", work + "/wrong", "--quiet"], expect: 3)
        XCTAssertTrue(refused.stdout.isEmpty)
        XCTAssertTrue(refused.stderr.contains("wrong key or tampered header"), refused.stderr)
    }
}
