/// Thrown (so XCTest reports a failure, not a skip) when the broker cannot run.
struct BrokerUnavailable: Error, CustomStringConvertible {
    let description: String
    init(_ m: String) { description = m }
}
