import Foundation
import XCTest

/// Appends `data` to the file at `path` (created if missing) with one
/// O_APPEND write, as a log writer does: what a followed input sees grow.
func append(_ data: Data, to path: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
    defer { close(fd) }
    let n = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    XCTAssertEqual(n, data.count, file: file, line: line)
}
