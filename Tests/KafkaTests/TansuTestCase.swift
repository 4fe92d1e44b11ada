import TestSupport
import XCTest

/// A test class that runs against its own Tansu broker, started once for the
/// class and stopped after it. A broker that cannot start makes every test of
/// the class fail (a thrown error), never skip.
class TansuTestCase: XCTestCase {
    nonisolated(unsafe) static var broker: TansuBroker?
    nonisolated(unsafe) static var startError: Error?

    override class func setUp() {
        super.setUp()
        startError = nil
        do { broker = try TansuBroker() } catch { startError = error }
    }

    override class func tearDown() {
        broker?.stop()
        broker = nil
        super.tearDown()
    }

    /// The class's broker, or the reason it is not running.
    func runningBroker() throws -> TansuBroker {
        if let e = Self.startError { throw e }
        guard let b = Self.broker else { throw BrokerUnavailable("broker not started") }
        return b
    }
}
