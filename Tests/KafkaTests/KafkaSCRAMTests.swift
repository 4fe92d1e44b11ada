import XCTest
@testable import Kafka

final class KafkaSCRAMTests: XCTestCase {
    /// RFC 5802 section 5 example (SCRAM-SHA-1, user "user", password "pencil").
    func testRFC5802SHA1Example() throws {
        var c = SCRAMClient(hash: .sha1, username: "user", password: "pencil", clientNonce: "fyko+d2lbbFgONRv9qkxdawL")
        XCTAssertEqual(c.clientFirstMessage(), "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")
        let final = try c.clientFinalMessage(serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
        XCTAssertEqual(final, "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")
        XCTAssertNoThrow(try c.verifyServerFinal("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="))
    }

    /// RFC 7677 section 3 example (SCRAM-SHA-256).
    func testRFC7677SHA256Example() throws {
        var c = SCRAMClient(hash: .sha256, username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        XCTAssertEqual(c.clientFirstMessage(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let final = try c.clientFinalMessage(serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        XCTAssertEqual(final, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        XCTAssertNoThrow(try c.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
        XCTAssertThrowsError(try c.verifyServerFinal("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="))
    }

    /// SCRAM-SHA-512 (Kafka's other SCRAM mechanism) on the RFC 7677 inputs. The
    /// expected proof and server signature were computed independently with
    /// Python's hashlib.pbkdf2_hmac('sha512') and hmac (RFC 5802 section 3).
    func testSHA512AgainstAnIndependentComputation() throws {
        var c = SCRAMClient(hash: .sha512, username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        XCTAssertEqual(c.clientFirstMessage(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let final = try c.clientFinalMessage(serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        XCTAssertEqual(final, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ==")
        XCTAssertNoThrow(try c.verifyServerFinal("v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw=="))
        XCTAssertThrowsError(try c.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), "the SHA-256 signature")
    }

    /// The SASL session drives the scripted RFC 7677 exchange step by step.
    func testScriptedSCRAMSessionExchange() throws {
        var s = SASLSession(options: SASLOptions(mechanism: .scramSHA256, username: "user", password: "pencil"),
                            scramNonce: "rOprNGfwEbeRWgbNEkqO")
        XCTAssertEqual(try s.next(challenge: nil).map { String(decoding: $0, as: UTF8.self) }, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let serverFirst = Array("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8)
        XCTAssertTrue(try s.next(challenge: serverFirst).map { String(decoding: $0, as: UTF8.self) }!.hasSuffix(",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
        XCTAssertNil(try s.next(challenge: Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8)))
    }

    func testServerNonceMustExtendClientNonce() {
        var c = SCRAMClient(hash: .sha256, username: "user", password: "pencil", clientNonce: "abc")
        _ = c.clientFirstMessage()
        XCTAssertThrowsError(try c.clientFinalMessage(serverFirst: "r=xyz123,s=QSXCR+Q6sek8bf92,i=4096"))
    }

    func testUsernameEscapingAndPlainMessage() throws {
        var c = SCRAMClient(hash: .sha512, username: "a=b,c", password: "p", clientNonce: "n")
        XCTAssertEqual(c.clientFirstMessage(), "n,,n=a=3Db=2Cc,r=n")
        var plain = SASLSession(options: SASLOptions(mechanism: .plain, username: "alice", password: "secret"))
        XCTAssertEqual(try plain.next(challenge: nil), [0] + Array("alice".utf8) + [0] + Array("secret".utf8))
        XCTAssertNil(try plain.next(challenge: []))
    }

    /// A broker cannot make the client run PBKDF2 for seconds (FuzzKafkaResponses
    /// timed out on i=40969696) or trap past Int32 (i=99999999999).
    func testServerFirstWithTooManyIterationsIsRefused() throws {
        for iterations in ["65537", "40969696", "99999999999"] {
            var c = SCRAMClient(hash: .sha256, username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
            _ = c.clientFirstMessage()
            let start = Date()
            XCTAssertThrowsError(try c.clientFinalMessage(serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=\(iterations)")) {
                XCTAssertTrue("\($0)".contains("iterations"), "\($0)")
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 1)
        }
        var c = SCRAMClient(hash: .sha256, username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        _ = c.clientFirstMessage()
        XCTAssertNoThrow(try c.clientFinalMessage(serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=65536"))
    }
}
