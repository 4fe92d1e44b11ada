/// Drives one SASL exchange: each call takes the server's last reply (nil
/// at the start) and returns the next client message, or nil when done.
public struct SASLSession {
    let options: SASLOptions
    var scram: SCRAMClient?
    var step = 0

    public init(options: SASLOptions, scramNonce: String? = nil) {
        self.options = options
        switch options.mechanism {
        case .plain: scram = nil
        case .scramSHA256: scram = SCRAMClient(hash: .sha256, username: options.username, password: options.password, clientNonce: scramNonce)
        case .scramSHA512: scram = SCRAMClient(hash: .sha512, username: options.username, password: options.password, clientNonce: scramNonce)
        }
    }

    public mutating func next(challenge: [UInt8]?) throws -> [UInt8]? {
        defer { step += 1 }
        if options.mechanism == .plain {
            // authzid NUL authcid NUL password (RFC 4616)
            return step == 0 ? [0] + Array(options.username.utf8) + [0] + Array(options.password.utf8) : nil
        }
        switch step {
        case 0: return Array(scram!.clientFirstMessage().utf8)
        case 1: return Array(try scram!.clientFinalMessage(serverFirst: String(decoding: challenge ?? [], as: UTF8.self)).utf8)
        case 2:
            try scram!.verifyServerFinal(String(decoding: challenge ?? [], as: UTF8.self))
            return nil
        default: return nil
        }
    }
}
