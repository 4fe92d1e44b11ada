/// The encrypted archive object (secstream-archive(5)): envelope encryption,
/// a fresh 256-bit data key per object, wrapped by the keyring's current
/// key-encryption key, all AES-256-GCM. Everything before the body is bound
/// to the body's tag as associated data, so a changed byte anywhere — magic,
/// key id, wrapped key, nonces, body, tag — fails authentication.
///
///     offset    size  field
///     0         8     magic "SSARCE01"
///     8         1     N, the key id's length (1-255)
///     9         N     key id (ASCII): which keyring key wrapped the data key
///     9+N       12    wrap nonce
///     21+N      32    data key, encrypted under the key-encryption key (AAD: bytes 0..<9+N)
///     53+N      16    wrap tag
///     69+N      12    body nonce
///     81+N      L     the compressed object (.lz4/.gz frame), encrypted under the data key
///                     (AAD: bytes 0..<81+N)
///     81+N+L    16    body tag
public enum ArchiveEnvelope {
    public static let magic: [UInt8] = Array("SSARCE01".utf8)

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func isEnvelope(_ bytes: [UInt8]) -> Bool {
        bytes.count >= magic.count && bytes[0..<magic.count].elementsEqual(magic)
    }

    public static func seal(_ object: [UInt8], keyring: ArchiveKeyring) -> [UInt8] {
        let id = Array(keyring.currentID.utf8)
        var out = magic
        out.reserveCapacity(object.count + 128)
        out.append(UInt8(id.count))
        out += id
        let dataKey = AESGCM.randomBytes(32)
        let wrapNonce = AESGCM.randomBytes(AESGCM.nonceSize)
        let wrapAAD = out
        out += wrapNonce
        dataKey.withUnsafeBytes { AESGCM.seal(key: keyring.current, nonce: wrapNonce, aad: wrapAAD, plaintext: $0, into: &out) }
        let bodyNonce = AESGCM.randomBytes(AESGCM.nonceSize)
        out += bodyNonce
        let bodyAAD = out
        object.withUnsafeBytes { AESGCM.seal(key: dataKey, nonce: bodyNonce, aad: bodyAAD, plaintext: $0, into: &out) }
        return out
    }

    /// The compressed object, or why it cannot be trusted.
    public static func open(_ bytes: [UInt8], keyring: ArchiveKeyring) throws -> [UInt8] {
        guard isEnvelope(bytes), bytes.count > 9 else { throw Failure(description: "not an encrypted archive object") }
        let n = Int(bytes[8])
        let header = 81 + n
        guard n > 0, bytes.count >= header + AESGCM.tagSize else {
            throw Failure(description: "encrypted object truncated (\(bytes.count) bytes)")
        }
        let id = String(decoding: bytes[9..<(9 + n)], as: UTF8.self)
        guard let kek = keyring.keys[id] else { throw Failure(description: "encrypted under key '\(id)', which the keyring does not hold") }
        let dataKey: [UInt8]
        do {
            dataKey = try AESGCM.open(key: kek, nonce: bytes[(9 + n)..<(21 + n)], aad: bytes[0..<(9 + n)],
                                      sealed: bytes[(21 + n)..<(69 + n)])
        } catch {
            throw Failure(description: "data key does not authenticate under key '\(id)' (wrong key or tampered header)")
        }
        do {
            return try AESGCM.open(key: dataKey, nonce: bytes[(69 + n)..<header], aad: bytes[0..<header], sealed: bytes[header...])
        } catch {
            throw Failure(description: "body does not authenticate (tampered or truncated)")
        }
    }
}
