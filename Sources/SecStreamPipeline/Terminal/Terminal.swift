import Foundation

/// What the process's standard streams are connected to, asked once per run:
/// the table, colour and progress line appear only for a person at a terminal.
package enum Terminal {
    package static var stdoutIsTerminal: Bool { isatty(1) != 0 }
    package static var stderrIsTerminal: Bool { isatty(2) != 0 }

    /// `NO_COLOR` set to anything but the empty string turns colour off
    /// (https://no-color.org); `TERM=dumb` terminals show escapes as text.
    package static var colorAllowed: Bool {
        let env = ProcessInfo.processInfo.environment
        if let noColor = env["NO_COLOR"], !noColor.isEmpty { return false }
        return env["TERM"] != "dumb"
    }

    /// Whether the alerts table on stdout is coloured under `mode`.
    package static func colors(_ mode: ColorMode) -> Bool {
        switch mode {
        case .always: return true
        case .never: return false
        case .auto: return stdoutIsTerminal && colorAllowed
        }
    }

    /// `text` made safe to print on a terminal: event values are written by
    /// attackers, and an escape sequence in a user name must not move the
    /// cursor, retitle the window or hide rows. Control characters (C0, DEL,
    /// C1) and the bidirectional overrides show as `\u{..}` escapes.
    package static func printable(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for s in text.unicodeScalars {
            let v = s.value
            let control = v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            if control {
                out += "\\u{" + String(v, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(s)
            }
        }
        return out
    }
}
