// libFuzzer target: the archive query language (`--where`). The input is the
// query text; one that parses is compiled and evaluated against a few events.
import SecStreamCore

private let events: [[UInt8]] = [
    #"{"@timestamp":"2026-11-20T13:30:00.250Z","event":{"outcome":"failure","dataset":"auth"},"user":{"name":"al\"ice"},"source":{"ip":"10.1.2.3","port":2222,"bytes":1500.5},"destination.ip":"2001:db8::7","host.name":"web-01.example.org","ok":true,"bad":false,"nothing":null,"tags":["ssh","brute"],"ports":[22,443],"num_text":"42"}"#,
    #"{"@timestamp":1795179909123,"a":{"b":[1,{"c":"d"}]},"msg":"caf\u00e9 \ud83d\ude00","n":-1e308}"#,
    #"{}"#,
].map { Array($0.utf8) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuery(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    guard let expression = try? QueryParser.parse(text) else { return 0 }
    let schema = FieldSchema(paths: ["@timestamp"])
    guard let query = try? CompiledQuery(expression, schema: schema, timeField: "@timestamp") else { return 0 }
    let scanner = FieldScanner(schema: schema)
    var evaluator = QueryEvaluator(query)
    let slots = UnsafeMutableBufferPointer<FieldSlot>.allocate(capacity: max(1, schema.count))
    defer { slots.deallocate() }
    for event in events {
        event.withUnsafeBytes { line in
            guard scanner.scan(line, into: slots).isOK else { return }
            _ = evaluator.matches(EventView(line: line, slots: UnsafeBufferPointer(slots)))
        }
    }
    return 0
}
