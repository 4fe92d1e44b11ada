import Foundation
import Metrics

/// S3 request counts by operation and outcome, latency and retries for the
/// run's metrics (nothing when it exports none). One observation per HTTP
/// attempt: retries are attempts too, so a slow or flaky endpoint shows.
enum S3RequestMetrics {
    static func started() -> UInt64? {
        ActiveMetrics.registry == nil ? nil : DispatchTime.now().uptimeNanoseconds
    }

    /// `status`: the HTTP status, or the transport error's name (`timeout`, `connect`, ...).
    static func completed(_ operation: String, status: String, startedAt: UInt64?) {
        guard let startedAt, let registry = ActiveMetrics.registry else { return }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds &- startedAt) / 1e9
        Counter(registry, "secstream_s3_requests_total", help: "S3 HTTP attempts by operation and status.",
                labels: ["operation": operation, "status": status]).add()
        Histogram(registry, "secstream_s3_request_duration_seconds", help: "S3 HTTP attempt latency by operation.",
                  labels: ["operation": operation]).observe(seconds)
    }

    static func retried(_ operation: String) {
        guard let registry = ActiveMetrics.registry else { return }
        Counter(registry, "secstream_s3_retries_total", help: "S3 attempts retried after a retryable failure, by operation.",
                labels: ["operation": operation]).add()
    }
}

extension S3RequestMetrics {
    /// The S3 API a request calls, as AWS names it: a bounded label (the
    /// store's own operation text names part numbers, which would not be).
    static func apiName(method: String, key: String?, query: [(name: String, value: String)]) -> String {
        let has = { (name: String) in query.contains { $0.name == name } }
        switch method {
        case "PUT" where has("partNumber"): return "UploadPart"
        case "PUT": return key == nil ? "CreateBucket" : "PutObject"
        case "POST" where has("uploads"): return "CreateMultipartUpload"
        case "POST": return "CompleteMultipartUpload"
        case "DELETE" where has("uploadId"): return "AbortMultipartUpload"
        case "DELETE": return "DeleteObject"
        case "GET": return key == nil ? "ListObjectsV2" : "GetObject"
        case "HEAD": return "HeadObject"
        default: return method
        }
    }
}
