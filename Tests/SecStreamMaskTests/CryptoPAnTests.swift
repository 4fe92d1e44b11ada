import Foundation
@testable import SecStreamMask
import TestSupport
import XCTest

final class CryptoPAnTests: XCTestCase {
    /// The key of the reference implementation's sample (Crypto-PAn 1.0,
    /// sample.cpp), and pairs of its sample_trace_raw.txt /
    /// sample_trace_anonymized.txt.
    static let referenceKey: [UInt8] = [21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16,
                                        216, 152, 143, 131, 121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2]
    static let referencePairs: [(String, String)] = [
        ("128.11.68.132", "135.242.180.132"),
        ("129.118.74.4", "134.136.186.123"),
        ("130.132.252.244", "133.68.164.234"),
        ("141.223.7.43", "141.167.8.160"),
        ("141.233.145.108", "141.129.237.235"),
        ("152.163.225.39", "151.140.114.167"),
        ("156.29.3.236", "147.225.12.42"),
        ("165.247.96.84", "162.9.99.234"),
        ("166.107.77.190", "160.132.178.185"),
        ("192.102.249.13", "252.138.62.131"),
        ("192.215.32.125", "252.43.47.189"),
        ("192.233.80.103", "252.25.108.8"),
        ("192.41.57.43", "252.222.221.184"),
        ("193.150.244.223", "253.169.52.216"),
        ("195.205.63.100", "255.186.223.5"),
        ("198.200.171.101", "249.199.68.213"),
        ("198.26.132.101", "249.36.123.202"),
        ("198.36.213.5", "249.7.21.132"),
        ("198.51.77.238", "249.18.186.254"),
        ("199.217.79.101", "248.38.184.213"),
        ("202.49.198.20", "245.206.7.234"),
        ("203.12.160.252", "244.248.163.4"),
        ("204.184.162.189", "243.192.77.90"),
        ("204.202.136.230", "243.178.4.198"),
        ("204.29.20.4", "243.33.20.123"),
        ("205.178.38.67", "242.108.198.51"),
        ("205.188.147.153", "242.96.16.101"),
        ("205.188.248.25", "242.96.88.27"),
        ("207.105.49.5", "241.118.205.138"),
        ("207.135.65.238", "241.202.129.222"),
        ("207.155.9.214", "241.220.250.22"),
        ("207.188.7.45", "241.255.249.220"),
        ("207.25.71.27", "241.33.119.156"),
        ("207.33.151.131", "241.1.233.131"),
        ("208.147.89.59", "227.237.98.191"),
        ("208.234.120.210", "227.154.67.17"),
        ("208.28.185.184", "227.39.94.90"),
        ("208.52.56.122", "227.8.63.165"),
        ("209.12.231.7", "226.243.167.8"),
        ("209.238.72.3", "226.6.119.243"),
        ("209.246.74.109", "226.22.124.76"),
        ("209.68.60.238", "226.184.220.233"),
        ("209.85.249.6", "226.170.70.6"),
        ("212.120.124.31", "228.135.163.231"),
        ("212.146.8.236", "228.19.4.234"),
        ("212.186.227.154", "228.59.98.98"),
        ("212.204.172.118", "228.71.195.169"),
        ("212.206.130.201", "228.69.242.193"),
        ("216.148.237.145", "235.84.194.111"),
        ("216.157.30.252", "235.89.31.26"),
        ("216.184.159.48", "235.96.225.78"),
        ("216.227.10.221", "235.28.253.36"),
        ("216.254.18.172", "235.7.16.162"),
        ("216.32.132.250", "235.192.139.38"),
        ("216.35.217.178", "235.195.157.81"),
        ("24.0.250.221", "100.15.198.226"),
        ("24.13.62.231", "100.2.192.247"),
        ("24.14.213.138", "100.1.42.141"),
        ("24.5.0.80", "100.9.15.210"),
        ("24.7.198.88", "100.10.6.25"),
        ("24.94.26.44", "100.88.228.35"),
        ("38.15.67.68", "64.3.66.187"),
        ("4.3.88.225", "124.60.155.63"),
        ("63.14.55.111", "95.9.215.7"),
        ("63.195.241.44", "95.179.238.44"),
        ("63.97.7.140", "95.97.9.123"),
        ("64.14.118.196", "0.255.183.58"),
        ("64.34.154.117", "0.221.154.117"),
        ("64.39.15.238", "0.219.7.41")
    ]

    func testReferenceVectors() {
        referenceVectors(CryptoPAn(key: Self.referenceKey))
        referenceVectors(CryptoPAn(key: Self.referenceKey, aesni: false))
    }

    private func referenceVectors(_ cp: CryptoPAn) {
        for (raw, anonymized) in Self.referencePairs {
            guard case .v4(let v)? = IPText.parse(raw) else { return XCTFail(raw) }
            XCTAssertEqual(IPText.format(.v4(cp.anonymize(v4: v))), anonymized, raw)
        }
        // Again, from the prefix cache.
        for (raw, anonymized) in Self.referencePairs.reversed() {
            guard case .v4(let v)? = IPText.parse(raw) else { return XCTFail(raw) }
            XCTAssertEqual(IPText.format(.v4(cp.copy().anonymize(v4: v))), anonymized, raw)
            XCTAssertEqual(IPText.format(.v4(cp.anonymize(v4: v))), anonymized, raw)
        }
    }

    /// yacryptopan's own self-test: key bytes 0..31.
    func testYacryptopanSelfTest() {
        let cp = CryptoPAn(key: Array(0..<32))
        guard case .v4(let v4)? = IPText.parse("192.0.2.1"), case .v6(let v6)? = IPText.parse("2001:db8::1") else { return XCTFail() }
        XCTAssertEqual(IPText.format(.v4(cp.anonymize(v4: v4))), "2.90.93.17")
        XCTAssertEqual(IPText.parse(IPText.format(.v6(cp.anonymize(v6: v6)))), IPText.parse("dd92:2c44:3fc0:ff1e:7ff9:c7f0:8180:7e00"))
    }

    /// Thousands of random IPv4 and IPv6 addresses (some sharing prefixes, to
    /// exercise the cache) against PyPI yacryptopan.
    func testDifferentialAgainstYacryptopan() throws {
        var rng = SplitMix(seed: 0x5EC5_7EA4)
        var key: [UInt8] = []
        for _ in 0..<32 { key.append(UInt8(truncatingIfNeeded: rng.next())) }
        var addresses: [String] = []
        for i in 0..<3000 {
            let r = rng.next()
            let base = i % 3 == 0 && !addresses.isEmpty ? addresses[Int(r % UInt64(addresses.count))] : nil
            if i % 2 == 0 {
                var v = UInt32(truncatingIfNeeded: r >> 7)
                // Sharing the /24 or only the /16 (the two prefix caches).
                if let base, case .v4(let b)? = IPText.parse(base) {
                    v = r & 1 == 0 ? (b & 0xFFFF_FF00) | (v & 0xFF) : (b & 0xFFFF_0000) | (v & 0xFFFF)
                }
                addresses.append(IPText.format(.v4(v)))
            } else {
                var bits = IPv6Bits(high: rng.next(), low: rng.next())
                if let base, case .v6(let b)? = IPText.parse(base) { bits.high = b.high }
                addresses.append(IPText.format(.v6(bits)))
            }
        }
        let script = """
        import sys, yacryptopan
        cp = yacryptopan.CryptoPAn(bytes.fromhex(sys.argv[1]))
        for line in sys.stdin:
            print(cp.anonymize(line.strip()))
        """
        let expected = try PythonVenv.runInline(script, arguments: [key.map { String(format: "%02x", $0) }.joined()],
                                                stdin: Data(addresses.joined(separator: "\n").utf8))
        let lines = String(decoding: expected, as: UTF8.self).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, addresses.count)
        // AES-NI where the CPU has it, and OpenSSL's EVP path.
        for cp in [CryptoPAn(key: key), CryptoPAn(key: key, aesni: false)] {
            var mismatches = 0
            for (address, reference) in zip(addresses, lines) {
                let ours: IPText.Address
                switch IPText.parse(address)! {
                case .v4(let v): ours = .v4(cp.anonymize(v4: v))
                case .v6(let v): ours = .v6(cp.anonymize(v6: v))
                }
                if IPText.parse(reference) != ours { mismatches += 1; if mismatches < 5 { XCTFail("\(address): \(IPText.format(ours)) != \(reference)") } }
            }
            XCTAssertEqual(mismatches, 0)
        }
    }

    func testPrefixPreserved() {
        let cp = CryptoPAn(key: Self.referenceKey)
        let a = cp.anonymize(v4: 0x0A01_0203), b = cp.anonymize(v4: 0x0A01_02FE), c = cp.anonymize(v4: 0x0A01_8203)
        XCTAssertEqual(a >> 8, b >> 8)
        XCTAssertEqual(a >> 16, c >> 16)
        XCTAssertNotEqual(a >> 8, c >> 8)
    }
}
