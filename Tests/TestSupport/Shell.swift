import Foundation

/// Runs a `/bin/sh -c` script to its end (tests that build inputs with the
/// system's tools, e.g. `gzip`); returns its exit status.
public enum Shell {
    public static func run(_ script: String) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}
