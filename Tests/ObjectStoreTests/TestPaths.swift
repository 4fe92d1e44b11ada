import Foundation

enum TestPaths {
    /// The package root: two levels above this file's directory.
    static let packageRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }()
}
