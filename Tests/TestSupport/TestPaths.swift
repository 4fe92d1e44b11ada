import Foundation

public enum TestPaths {
    /// The package root: two levels above this file's directory.
    public static let packageRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }()
}
