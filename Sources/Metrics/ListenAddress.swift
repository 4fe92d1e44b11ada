/// `--metrics-listen HOST:PORT`: an IPv4 or bracketed IPv6 literal or a host
/// name, and a port (0: the kernel picks one, printed on stderr). An empty
/// host (`:9464`) listens on every interface, as Go's exporters do.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) { self.host = host; self.port = port }

    /// Nil, with the reason, for anything but HOST:PORT with a port in 0...65535.
    public static func parse(_ text: String) -> Result<ListenAddress, MetricsError> {
        let bad = { (why: String) in Result<ListenAddress, MetricsError>.failure(MetricsError("invalid --metrics-listen '\(text)': \(why)", reason: why)) }
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return bad("missing ']' after the IPv6 address") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return bad("expected HOST:PORT, e.g. 127.0.0.1:9464") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return bad("expected HOST:PORT, e.g. 127.0.0.1:9464") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { return bad("put an IPv6 address in brackets, e.g. [::1]:9464") }
        }
        guard let port = Int(portText), (0...65535).contains(port), portText.allSatisfy(\.isASCII) else {
            return bad("the port must be a number from 0 to 65535")
        }
        return .success(ListenAddress(host: String(host), port: port))
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A metrics setup or export failure, said in one line.
public struct MetricsError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// For a refused value: why, without the flag and the value (which the CLI's error names already).
    public var reason: String?
    public init(_ description: String, reason: String? = nil) { self.description = description; self.reason = reason }
}
