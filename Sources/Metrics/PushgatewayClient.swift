import CCurl
import Foundation

/// Pushes the exposition to a Prometheus Pushgateway at the end of a batch
/// job: one PUT (replacing the group's previous push) of text 0.0.4 to
/// `/metrics/job/secstream/instance/<host>`, over the libcurl the S3 store uses.
public struct PushgatewayClient: Sendable {
    /// The group URL: the `--metrics-push` URL as given when it names a group
    /// (`.../metrics/job/...`), else the gateway's base URL plus this job and host.
    public let groupURL: String

    public init(url: String, instance: String = ProcessInfo.processInfo.hostName) throws {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              parsed.host != nil else {
            throw MetricsError("invalid --metrics-push '\(url)': expected an http(s):// Pushgateway URL")
        }
        if parsed.path.contains("/metrics/job/") {
            groupURL = url
        } else {
            var base = url
            while base.hasSuffix("/") { base.removeLast() }
            let host = instance.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._"))) ?? "unknown"
            groupURL = base + "/metrics/job/secstream/instance/" + host
        }
    }

    public func push(_ families: [MetricFamilySnapshot], timeoutSeconds: Int = 30) throws {
        let body = Array(ExpositionFormat.prometheusText.render(families).utf8)
        guard let handle = curl_easy_init() else { throw MetricsError("--metrics-push: cannot start libcurl") }
        defer { curl_easy_cleanup(handle) }
        var headers: UnsafeMutablePointer<curl_slist>? = nil
        headers = curl_slist_append(headers, "Content-Type: " + ExpositionFormat.prometheusText.contentType)
        defer { curl_slist_free_all(headers) }
        var error = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code: CURLcode = error.withUnsafeMutableBufferPointer { errorBuffer in
            secstream_curl_setopt_string(handle, CURLOPT_URL, groupURL)
            secstream_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            secstream_curl_setopt_long(handle, CURLOPT_TIMEOUT, timeoutSeconds)
            secstream_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, "PUT")
            secstream_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            _ = body.withUnsafeBytes { raw in
                // COPYPOSTFIELDS copies, so the buffer need not outlive this call.
                secstream_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
            secstream_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers))
            // The gateway's reply body is not needed; without a callback libcurl prints it on stdout.
            secstream_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { _, size, count, _ in size * count }
            secstream_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer.baseAddress!))
            return curl_easy_perform(handle)
        }
        guard code == CURLE_OK else {
            let detail = String(cString: error)
            throw MetricsError("--metrics-push \(groupURL): \(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)")
        }
        var status = 0
        secstream_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        guard (200..<300).contains(status) else {
            throw MetricsError("--metrics-push \(groupURL): the Pushgateway answered HTTP \(status)")
        }
    }
}
