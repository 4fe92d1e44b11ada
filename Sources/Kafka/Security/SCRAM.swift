import COpenSSL
import Foundation

/// SCRAM client (RFC 5802; SHA-256 per RFC 7677, SHA-512 as Kafka uses it).
/// Pure message logic so it can be checked against the RFC examples.
public struct SCRAMClient {
    public enum Hash: Sendable {
        case sha1, sha256, sha512
        var md: OpaquePointer? {
            switch self {
            case .sha1: return EVP_sha1()
            case .sha256: return EVP_sha256()
            case .sha512: return EVP_sha512()
            }
        }
    }

    let hash: Hash
    let username: String
    let password: String
    let clientNonce: String
    var clientFirstBare = ""
    var expectedServerSignature: [UInt8] = []

    public init(hash: Hash, username: String, password: String, clientNonce: String? = nil) {
        self.hash = hash
        self.username = username
        self.password = password
        self.clientNonce = clientNonce ?? Self.randomNonce()
    }

    static func randomNonce() -> String {
        var bytes = [UInt8](repeating: 0, count: 24)
        _ = RAND_bytes(&bytes, Int32(bytes.count))
        return Data(bytes).base64EncodedString()
    }

    /// "n,," + "n=<user>,r=<nonce>"
    public mutating func clientFirstMessage() -> String {
        let name = username.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
        clientFirstBare = "n=\(name),r=\(clientNonce)"
        return "n,," + clientFirstBare
    }

    /// Answers the server-first message with the client-final message (with proof).
    public mutating func clientFinalMessage(serverFirst: String) throws -> String {
        var attrs: [Character: String] = [:]
        for part in serverFirst.split(separator: ",") where part.count >= 2 && part.dropFirst().first == "=" {
            attrs[part.first!] = String(part.dropFirst(2))
        }
        guard let nonce = attrs["r"], nonce.hasPrefix(clientNonce), let saltB64 = attrs["s"],
              let salt = Data(base64Encoded: saltB64), let iterText = attrs["i"], let iterations = Int(iterText),
              iterations > 0 else {
            throw KafkaError.authentication("SCRAM: malformed server-first message '\(serverFirst)'")
        }
        // The broker picks the PBKDF2 work the client must do: a hostile one asking
        // for 40 million iterations stalled the client for seconds (found by
        // FuzzKafkaResponses), and past Int32 it would trap.
        guard iterations <= SCRAMClient.maxIterations else {
            throw KafkaError.authentication("SCRAM: server asks for \(iterations) PBKDF2 iterations, more than \(SCRAMClient.maxIterations); refused")
        }
        let salted = try pbkdf2(Array(password.utf8), Array(salt), iterations)
        let clientKey = try hmac(salted, Array("Client Key".utf8))
        let storedKey = try digest(clientKey)
        let finalWithoutProof = "c=biws,r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(finalWithoutProof)".utf8)
        let signature = try hmac(storedKey, authMessage)
        let proof = zip(clientKey, signature).map { $0 ^ $1 }
        let serverKey = try hmac(salted, Array("Server Key".utf8))
        expectedServerSignature = try hmac(serverKey, authMessage)
        return "\(finalWithoutProof),p=\(Data(proof).base64EncodedString())"
    }

    /// Checks the server's signature ("v=...") so a fake server is detected.
    public func verifyServerFinal(_ serverFinal: String) throws {
        if serverFinal.hasPrefix("e=") {
            throw KafkaError.authentication("SCRAM: server error \(serverFinal.dropFirst(2))")
        }
        guard serverFinal.hasPrefix("v="), let sig = Data(base64Encoded: String(serverFinal.dropFirst(2).prefix { $0 != "," })),
              Array(sig) == expectedServerSignature else {
            throw KafkaError.authentication("SCRAM: server signature does not verify")
        }
    }

    /// Kafka refuses to store SCRAM credentials with more than 16,384 iterations
    /// (`ScramMechanism`); four times that leaves room for other brokers and
    /// bounds the client's work to milliseconds.
    public static let maxIterations = 65_536

    func pbkdf2(_ pass: [UInt8], _ salt: [UInt8], _ iterations: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MD_get_size(hash.md)))
        let ok = pass.withUnsafeBufferPointer { p in
            PKCS5_PBKDF2_HMAC(UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(pass.count),
                              salt, Int32(salt.count), Int32(iterations), hash.md, Int32(out.count), &out)
        }
        if ok != 1 { throw KafkaError.authentication("SCRAM: PBKDF2 failed") }
        return out
    }

    func hmac(_ key: [UInt8], _ data: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var len: UInt32 = 0
        guard HMAC(hash.md, key, Int32(key.count), data, data.count, &out, &len) != nil else {
            throw KafkaError.authentication("SCRAM: HMAC failed")
        }
        return Array(out[0..<Int(len)])
    }

    func digest(_ data: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var len: UInt32 = 0
        guard EVP_Digest(data, data.count, &out, &len, hash.md, nil) == 1 else {
            throw KafkaError.authentication("SCRAM: digest failed")
        }
        return Array(out[0..<Int(len)])
    }
}
