// libFuzzer target: the archive masker's two ways of masking one NDJSON line.
// `maskScanned` splices the masked values at the ranges a tracking scan found
// and trusts the scan's `LineShape` to say when it cannot; a wrong trust is a
// raw value written to the archive. Its bytes, with the line's values new
// and again once they are cached, must equal the walker's
// (`maskLineByWalk`) on every line the scanner accepts, with the policy's
// fields alone and among detection fields in the schema.
import SecStreamCore
import SecStreamMask

private let policies = [
    "fields: {user.name: hmac, source.ip: cryptopan, destination.ip: cryptopan, message: patterns}",
    "fields: {user: hmac, a.b: {action: hmac, length: 8, prefix: \"p_\"}, a.b.c: redact, \"@timestamp\": truncate, secret: drop}",
]
private let environment = ["SECSTREAM_MASK_KEY": String(repeating: "0123456789abcdef", count: 4)]

private struct Case {
    let masker: EventMasker
    let reference: EventMasker
    let scanner: FieldScanner
    let fields: [Int32]
    let slots: UnsafeMutableBufferPointer<FieldSlot>
}

private let cases: [Case] = policies.flatMap { yaml -> [Case] in
    let policy = try! MaskPolicyParser.parse(yaml, file: "fuzz.yaml", environment: environment)
    let paths = EventMasker(policy: policy).scannedPaths!
    return [[], ["@timestamp", "user", "source.port", "a", "a.b.c.d", "destination", "x.*"]].map { extra in
        let schema = FieldSchema(paths: extra)
        let fields = paths.map { Int32(schema.intern($0)) }
        return Case(masker: EventMasker(policy: policy), reference: EventMasker(policy: policy),
                    scanner: FieldScanner(schema: schema), fields: fields,
                    slots: .allocate(capacity: schema.count))
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArchiveMask(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // Copy into an exactly sized allocation so ASan sees any read past the line.
    let line = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, size), alignment: 1)
    defer { line.deallocate() }
    if let data, size > 0 { line.copyMemory(from: UnsafeRawBufferPointer(start: data, count: size)) }
    let bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(line)[0..<size])
    for c in cases {
        var shape = LineShape()
        guard c.scanner.scan(bytes, into: c.slots, shape: &shape).isOK else { continue }
        let expected = c.reference.maskLineByWalk(bytes)
        // Twice: the first time a value is new and goes the Swift way (which
        // caches it), the second time the line's cached values take the C
        // paths (the splice, the free-text line).
        for pass in 0..<2 {
            var out = MaskedBytes()
            defer { out.deallocate() }
            c.fields.withUnsafeBufferPointer {
                c.masker.maskScanned(bytes, slots: UnsafeBufferPointer(c.slots), fields: $0, shape: shape, into: &out)
            }
            precondition(Array(out.bytes) == expected, "maskScanned differs from the walker (pass \(pass), shape \(shape.rawValue))")
        }
    }
    return 0
}
