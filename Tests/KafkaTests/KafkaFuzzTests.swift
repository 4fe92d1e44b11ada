import XCTest
import TestSupport
@testable import Kafka

/// Feeds truncated and random bytes to every response decoder and to the
/// record batch decoder: they must report errors, never crash or hang.
final class KafkaFuzzTests: XCTestCase {
    let decoders = ResponseDecoder.all

    /// Random bytes biased towards small counts so decoders get past their first fields.
    func randomBytes(_ rng: inout SplitMix, _ n: Int) -> [UInt8] {
        (0..<n).map { _ in
            let r = rng.next()
            return r % 3 == 0 ? UInt8(truncatingIfNeeded: r >> 8) : UInt8((r >> 8) % 4)
        }
    }

    func testResponseDecodersRejectTruncatedAndRandomInput() {
        var rng = SplitMix(state: Fuzz.seed(42))
        var errors = 0
        for d in decoders {
            for v in d.versions {
                for _ in 0..<Fuzz.iterations(150) {
                    let bytes = randomBytes(&rng, Int(rng.next() % 200))
                    bytes.withUnsafeBytes { raw in
                        do { try d.decode(raw, v) } catch { errors += 1 }
                    }
                }
                // Every truncation of an empty-but-valid-looking body must fail, not crash.
                let zeros = [UInt8](repeating: 0, count: 64)
                for cut in 0..<8 {
                    zeros.withUnsafeBytes { raw in
                        do { try d.decode(UnsafeRawBufferPointer(rebasing: raw[0..<cut]), v) } catch { errors += 1 }
                    }
                }
            }
        }
        XCTAssertGreaterThan(errors, 1000, "random input should mostly be rejected")
    }

    func testTruncatedRealResponsesFail() throws {
        // A well-formed Metadata v9 response, then every strict prefix of it.
        var w = WireWriter()
        w.tags(true) // response header tags
        w.int32(0) // throttle
        w.arrayLength(1, flexible: true); w.int32(111); w.string("127.0.0.1", flexible: true); w.int32(9092)
        w.nullableString(nil, flexible: true); w.tags(true)
        w.nullableString("c", flexible: true); w.int32(111)
        w.arrayLength(1, flexible: true); w.int16(0); w.string("t", flexible: true); w.bool(false)
        w.arrayLength(1, flexible: true); w.int16(0); w.int32(0); w.int32(111); w.int32(0)
        for _ in 0..<3 { w.arrayLength(1, flexible: true); w.int32(111) }
        w.tags(true); w.int32(0); w.tags(true) // partition tags, topic authorized ops, topic tags
        w.int32(0); w.tags(true) // cluster authorized ops, body tags
        let full = w.bytes
        let ok = try full.withUnsafeBytes { try MetadataRequest.decodeResponse($0, version: 9) }
        XCTAssertEqual(ok.brokers.first?.nodeId, 111)
        XCTAssertEqual(ok.topics.first?.partitions.first?.leader, 111)
        for cut in 0..<full.count {
            XCTAssertThrowsError(try full.withUnsafeBytes { try MetadataRequest.decodeResponse(UnsafeRawBufferPointer(rebasing: $0[0..<cut]), version: 9) },
                                 "prefix \(cut)")
        }
    }

    func testRecordBatchDecoderSurvivesMutations() throws {
        var b = RecordBatchBuilder()
        for i in 0..<20 {
            b.append(key: i % 3 == 0 ? nil : [UInt8(i)], value: Array(repeating: UInt8(i), count: i),
                     headers: i % 2 == 0 ? [RecordHeader(key: "k\(i)", value: [1])] : [], timestamp: Int64(i))
        }
        let good = try b.build(compression: .none)
        var rng = SplitMix(state: Fuzz.seed(7))
        var rejected = 0
        for iteration in 0..<Fuzz.iterations(3000) {
            var bytes = good
            if iteration % 3 == 0 {
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            } else {
                for _ in 0..<(1 + rng.next() % 4) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
                if iteration % 3 == 2 {
                    // Fix the CRC so mutations reach the record parser.
                    let crc = CRC32C.checksum(Array(bytes[21...]))
                    bytes[17] = UInt8(crc >> 24); bytes[18] = UInt8((crc >> 16) & 0xFF)
                    bytes[19] = UInt8((crc >> 8) & 0xFF); bytes[20] = UInt8(crc & 0xFF)
                }
            }
            do {
                _ = try RecordBatchDecoder.decode(bytes, range: 0..<bytes.count, topic: "t", partition: 0, fromOffset: 0, highWatermark: 0)
            } catch {
                rejected += 1
            }
        }
        XCTAssertGreaterThan(rejected, 500)
        // Pure random buffers.
        for _ in 0..<Fuzz.iterations(1000) {
            let bytes = randomBytes(&rng, Int(rng.next() % 300))
            _ = try? RecordBatchDecoder.decode(bytes, range: 0..<bytes.count, topic: "t", partition: 0, fromOffset: 0, highWatermark: 0)
        }
    }

    func testGroupProtocolAndSCRAMParsersRejectGarbage() {
        var rng = SplitMix(state: Fuzz.seed(99))
        let valid = GroupSubscription(topics: ["a", "b"], ownedPartitions: [TopicPartition("a", 1)]).encode()
        var rejected = 0
        for i in 0..<Fuzz.iterations(2000) {
            var bytes = i % 2 == 0 ? randomBytes(&rng, Int(rng.next() % 64)) : Array(valid.prefix(Int(rng.next() % UInt64(valid.count))))
            if i % 5 == 0 && !bytes.isEmpty { bytes[Int(rng.next() % UInt64(bytes.count))] ^= 0xFF }
            if (try? GroupSubscription.decode(bytes)) == nil { rejected += 1 }
            _ = try? GroupAssignment.decode(bytes)
        }
        XCTAssertGreaterThan(rejected, 1000)
        for _ in 0..<Fuzz.iterations(300) {
            var c = SCRAMClient(hash: .sha256, username: "u", password: "p", clientNonce: "abc")
            _ = c.clientFirstMessage()
            let junk = String(decoding: randomBytes(&rng, Int(rng.next() % 80)).map { $0 % 2 == 0 ? 0x2C : $0 &+ 0x41 }, as: UTF8.self)
            XCTAssertThrowsError(try c.clientFinalMessage(serverFirst: junk))
        }
    }
}
