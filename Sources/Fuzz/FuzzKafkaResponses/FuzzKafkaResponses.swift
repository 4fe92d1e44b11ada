// libFuzzer target: every Kafka response decoder at every version this client
// speaks, the consumer group protocol (subscription, assignment) and the SCRAM
// server messages. Byte 0 picks the decoder, byte 1 the version; the rest is
// the response body after the correlation id.
import Kafka

/// The client's response decoders, plus the group protocol and SCRAM messages.
private let decoders: [ResponseDecoder] = ResponseDecoder.all + [
    ResponseDecoder(name: "GroupSubscription", versions: 0...0) { raw, _ in _ = try GroupSubscription.decode([UInt8](raw)) },
    ResponseDecoder(name: "GroupAssignment", versions: 0...0) { raw, _ in _ = try GroupAssignment.decode([UInt8](raw)) },
    ResponseDecoder(name: "SCRAM server messages", versions: 0...1) { raw, v in
        var client = SCRAMClient(hash: v == 0 ? .sha256 : .sha512, username: "u", password: "p", clientNonce: "fyko+d2lbbFgONRv9qkxdawL")
        _ = client.clientFirstMessage()
        let text = String(decoding: raw, as: UTF8.self)
        // The server-first message, then (if it was accepted) the same bytes as server-final.
        if (try? client.clientFinalMessage(serverFirst: text)) != nil { try? client.verifyServerFinal(text) }
    },
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKafkaResponses(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size >= 2 else { return 0 }
    let d = decoders[Int(data[0]) % decoders.count]
    let span = Int(d.versions.upperBound - d.versions.lowerBound) + 1
    let version = d.versions.lowerBound + Int16(Int(data[1]) % span)
    // An exactly sized copy, so ASan sees any read past the body.
    let body = UnsafeMutableRawBufferPointer.allocate(byteCount: size - 2, alignment: 1)
    defer { body.deallocate() }
    body.copyMemory(from: UnsafeRawBufferPointer(start: data + 2, count: size - 2))
    try? d.decode(UnsafeRawBufferPointer(body), version)
    return 0
}
