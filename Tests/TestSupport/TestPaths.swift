import Foundation

public enum TestPaths {
    /// The package root: two levels above this file's directory.
    public static let packageRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }()

    /// The workplace's shared folder (test data read in place, never copied):
    /// `../shared` next to the package, or, for a clone of a local repository
    /// made elsewhere (CI's `git clone -q . /tmp/ci-check`), next to the
    /// repository it was cloned from (the `origin` path in `.git/config`).
    public static let sharedDirectory: String = {
        let beside = packageRoot + "/../shared"
        if FileManager.default.fileExists(atPath: beside) { return beside }
        if let config = try? String(contentsOfFile: packageRoot + "/.git/config", encoding: .utf8),
           let url = config.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) })
               .first(where: { $0.hasPrefix("url = /") })?.dropFirst("url = ".count) {
            let origin = String(url).hasSuffix("/.git") ? String(url.dropLast(5)) : String(url)
            let besideOrigin = origin + "/../shared"
            if FileManager.default.fileExists(atPath: besideOrigin) { return besideOrigin }
        }
        return beside
    }()
}
