import Workers
import Foundation

/// S3 (or any S3-compatible server) over libcurl, every request signed with
/// SigV4 and carrying `x-amz-content-sha256`. Keys are scoped under
/// `prefix` (the path of the `s3://bucket/prefix` URI). Failed requests are
/// retried per `RetryPolicy` (5xx, SlowDown, timeouts, resets), re-signed on
/// each attempt; what still fails becomes one `ObjectStoreError` line with
/// the S3 code, message and request id.
public final class S3ObjectStore: ObjectStore, @unchecked Sendable {
    public let bucket: String
    /// Empty, or ends with `/`.
    public let prefix: String
    public let configuration: S3Configuration
    private let http: CurlHTTPClient
    private let clock = SigningClock()

    public var location: String { "s3://\(bucket)/\(prefix)" }

    public init(bucket: String, prefix: String = "", configuration: S3Configuration) {
        self.bucket = bucket
        var scoped = prefix
        while scoped.hasPrefix("/") { scoped.removeFirst() }
        if !scoped.isEmpty && !scoped.hasSuffix("/") { scoped += "/" }
        self.prefix = scoped
        self.configuration = configuration
        http = CurlHTTPClient(maxConnections: configuration.maxConnections,
                              connectTimeoutMillis: configuration.connectTimeoutMillis,
                              stallTimeoutSeconds: configuration.stallTimeoutSeconds)
    }

    // MARK: put

    public func put(key: String, data: [UInt8], options: PutOptions) throws {
        let fullKey = try scopedKey(key, operation: "PUT")
        if data.count > configuration.multipartThreshold {
            try putMultipart(fullKey: fullKey, data: data, options: options)
            return
        }
        _ = try send("PUT", key: fullKey, headers: uploadHeaders(options), body: data[...])
    }

    private func uploadHeaders(_ options: PutOptions) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let contentType = options.contentType { headers.append(("content-type", contentType)) }
        switch options.serverSideEncryption ?? configuration.serverSideEncryption {
        case .aes256?:
            headers.append(("x-amz-server-side-encryption", "AES256"))
        case .kms(let keyId)?:
            headers.append(("x-amz-server-side-encryption", "aws:kms"))
            if let keyId { headers.append(("x-amz-server-side-encryption-aws-kms-key-id", keyId)) }
        case nil:
            break
        }
        return headers
    }

    /// CreateMultipartUpload, the parts in parallel, CompleteMultipartUpload;
    /// on failure the upload is aborted so no invisible parts are billed.
    private func putMultipart(fullKey: String, data: [UInt8], options: PutOptions) throws {
        let created = try send("POST", key: fullKey, query: [("uploads", "")], headers: uploadHeaders(options),
                               operation: "PUT (multipart create)")
        guard let uploadId = S3XML(created.body).text("UploadId") else {
            throw remoteError("PUT (multipart create)", fullKey, status: created.status,
                              message: "no UploadId in the response")
        }
        let partSize = max(5 << 20, configuration.partSize)
        let partCount = (data.count + partSize - 1) / partSize
        let etags = ParallelResults(count: partCount)
        do {
            try OrderedWorkerPool.forEach(count: partCount, width: configuration.maxConnections) { index in
                let start = index * partSize
                let part = data[start..<min(data.count, start + partSize)]
                let response = try self.send("PUT", key: fullKey,
                                             query: [("partNumber", String(index + 1)), ("uploadId", uploadId)],
                                             body: part, operation: "PUT (part \(index + 1)/\(partCount))")
                guard let etag = response.headers["etag"] else {
                    throw self.remoteError("PUT (part \(index + 1))", fullKey, status: response.status,
                                           message: "no ETag in the response")
                }
                etags.lock.lock()
                etags.values[index] = Array(etag.utf8)
                etags.lock.unlock()
            }
            var document = "<CompleteMultipartUpload>"
            for (index, etag) in etags.values.enumerated() {
                document += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>"
                    + xmlEscape(String(decoding: etag, as: UTF8.self)) + "</ETag></Part>"
            }
            document += "</CompleteMultipartUpload>"
            do {
                _ = try send("POST", key: fullKey, query: [("uploadId", uploadId)],
                             headers: [("content-type", "application/xml")], body: Array(document.utf8)[...],
                             operation: "PUT (multipart complete)")
            } catch let error as ObjectStoreError where error.code == "NoSuchUpload" && error.attempts > 1 {
                // An earlier attempt completed the upload but its answer was
                // lost; the retry then finds the upload gone. The object is
                // there if its size says so (the parts were ours alone).
                guard let info = try head(key: String(fullKey.dropFirst(prefix.count))), info.size == data.count else {
                    throw error
                }
            }
        } catch {
            _ = try? send("DELETE", key: fullKey, query: [("uploadId", uploadId)], operation: "PUT (multipart abort)")
            throw error
        }
    }

    // MARK: get / head / delete

    public func get(key: String, range: ByteRange?) throws -> [UInt8] {
        let fullKey = try scopedKey(key, operation: "GET")
        var headers: [(name: String, value: String)] = []
        if let range { headers.append(("range", range.httpHeaderValue)) }
        let response = try send("GET", key: fullKey, headers: headers)
        if let range, response.status == 200 {
            // A server that ignores Range sends the whole object: cut it here.
            guard range.offset < response.body.count || response.body.isEmpty else {
                throw ObjectStoreError(kind: .invalidRange, operation: "GET", target: target(fullKey),
                                       httpStatus: 200, message: "range starts past the end of the object")
            }
            let end = range.length.map { min(response.body.count, range.offset + $0) } ?? response.body.count
            return Array(response.body[min(range.offset, end)..<end])
        }
        return response.body
    }

    public func head(key: String) throws -> ObjectInfo? {
        let fullKey = try scopedKey(key, operation: "HEAD")
        do {
            let response = try send("HEAD", key: fullKey)
            return ObjectInfo(key: key, size: Int(response.headers["content-length"] ?? "") ?? 0,
                              etag: unquote(response.headers["etag"] ?? ""),
                              lastModifiedMillis: S3Time.parseHTTPDate(response.headers["last-modified"] ?? "") ?? 0)
        } catch let error as ObjectStoreError where error.kind == .notFound {
            return nil
        }
    }

    public func delete(key: String) throws {
        let fullKey = try scopedKey(key, operation: "DELETE")
        do {
            _ = try send("DELETE", key: fullKey)
        } catch let error as ObjectStoreError where error.kind == .notFound && error.code == "NoSuchKey" {
            return  // S3 itself answers 204 here; some compatible servers say 404.
        }
    }

    // MARK: list

    public func list(prefix listPrefix: String, delimiter: String?, startAfter: String?, pageSize: Int,
                     onPage: (ListPage) throws -> Bool) throws {
        var continuation: String?
        // A server that hands back a token it gave before, or page after page
        // of nothing, would keep this loop going for ever: both are errors.
        var seenTokens = Set<String>()
        var emptyTruncatedPages = 0
        repeat {
            var query: [(name: String, value: String)] = [
                ("list-type", "2"), ("prefix", prefix + listPrefix), ("max-keys", String(max(1, min(1000, pageSize)))),
            ]
            if let delimiter, !delimiter.isEmpty { query.append(("delimiter", delimiter)) }
            if let continuation {
                query.append(("continuation-token", continuation))
            } else if let startAfter {
                query.append(("start-after", prefix + startAfter))
            }
            let response = try send("GET", key: nil, query: query, operation: "LIST",
                                    targetDescription: "s3://\(bucket)/\(prefix)\(listPrefix)")
            let listing = S3ListingXML(body: response.body)
            let page = ListPage(
                objects: listing.objects.map {
                    ObjectInfo(key: unscoped($0.key), size: $0.size, etag: $0.etag, lastModifiedMillis: $0.lastModifiedMillis)
                },
                commonPrefixes: listing.commonPrefixes.map(unscoped))
            let truncated = listing.isTruncated
            continuation = listing.continuationToken
            if truncated && continuation == nil {
                throw remoteError("LIST", prefix + listPrefix, status: response.status,
                                  message: "truncated listing without NextContinuationToken")
            }
            if let token = continuation, !seenTokens.insert(token).inserted {
                throw remoteError("LIST", prefix + listPrefix, status: response.status,
                                  message: "the listing does not advance: continuation token repeated after \(seenTokens.count) pages")
            }
            emptyTruncatedPages = truncated && page.objects.isEmpty && page.commonPrefixes.isEmpty ? emptyTruncatedPages + 1 : 0
            if emptyTruncatedPages >= 100 {
                throw remoteError("LIST", prefix + listPrefix, status: response.status,
                                  message: "the listing does not advance: 100 empty pages in a row, each saying more follows")
            }
            if try !onPage(page) { return }
        } while continuation != nil
    }

    // MARK: presigned URLs

    /// A URL that reads (`GET`) or writes (`PUT`) `key` without credentials
    /// until `expiresSeconds` (at most 7 days) have passed.
    public func presignedURL(key: String, method: String = "GET", expiresSeconds: Int = 3600) throws -> String {
        let fullKey = try scopedKey(key, operation: "PRESIGN")
        return configuration.endpoint.presignedURL(
            method: method, bucket: bucket, key: fullKey, credentials: configuration.credentials,
            region: configuration.region, amzDate: SigV4Signer.amzDate(epochSeconds: Int(time(nil))),
            expiresSeconds: min(max(1, expiresSeconds), 604_800))
    }

    // MARK: bucket

    /// Creates the bucket (for tests and demos against local servers);
    /// succeeds when it already exists and is ours.
    public func createBucket() throws {
        var body: [UInt8] = []
        if configuration.region != "us-east-1" {
            body = Array(("<CreateBucketConfiguration><LocationConstraint>\(configuration.region)"
                + "</LocationConstraint></CreateBucketConfiguration>").utf8)
        }
        do {
            _ = try send("PUT", key: nil, body: body[...], operation: "CREATE BUCKET",
                         targetDescription: "s3://\(bucket)")
        } catch let error as ObjectStoreError where error.code == "BucketAlreadyOwnedByYou" {
            return
        }
    }

    // MARK: requests

    /// Signs and sends one request, retrying what is worth retrying.
    /// Statuses 2xx are success; everything else becomes an ObjectStoreError.
    private func send(_ method: String, key: String?, query: [(name: String, value: String)] = [],
                      headers: [(name: String, value: String)] = [], body: ArraySlice<UInt8> = [],
                      operation: String? = nil, targetDescription: String? = nil) throws -> HTTPResponse {
        let operation = operation ?? method
        let target = targetDescription ?? (key.map(target) ?? "s3://\(bucket)")
        let payloadHash = body.isEmpty ? Crypto.emptySHA256Hex : Crypto.hex(Crypto.sha256(body))
        let policy = configuration.retry
        let api = S3RequestMetrics.apiName(method: method, key: key, query: query)
        var attempt = 0
        while true {
            attempt += 1
            let signed = configuration.endpoint.signedRequest(
                method: method, bucket: bucket, key: key, query: query, headers: headers,
                payloadSHA256: payloadHash, credentials: configuration.credentials,
                region: configuration.region, amzDate: SigV4Signer.amzDate(epochSeconds: clock.now()))
            let failure: ObjectStoreError
            var retryable: Bool
            let started = S3RequestMetrics.started()
            do {
                let response = try http.perform(HTTPRequest(method: method, url: signed.url,
                                                            headers: signed.headers, body: body))
                S3RequestMetrics.completed(api, status: String(response.status), startedAt: started)
                if (200..<300).contains(response.status) && !(method == "POST" && Self.isErrorDocument(response)) {
                    return response
                }
                let error = S3ErrorXML(response: response)
                let kind: ObjectStoreError.Kind
                switch response.status {
                // Only a missing object is "not found"; a missing bucket or
                // upload is a failure of the remote side.
                case 404 where error.code == "NoSuchKey" || error.code == "NotFound": kind = .notFound
                case 416: kind = .invalidRange
                default: kind = .remoteFailed
                }
                failure = ObjectStoreError(kind: kind, operation: "S3 \(operation)", target: target,
                                           httpStatus: response.status, code: error.code,
                                           message: error.message ?? "no error message",
                                           requestId: error.requestId, attempts: attempt)
                retryable = RetryPolicy.isRetryable(status: response.status, code: error.code)
                // A machine whose clock is off by more than S3's 15 minutes
                // signs requests S3 refuses; sign with the server's time.
                if error.code == "RequestTimeTooSkewed", let serverDate = response.headers["date"],
                   let serverMillis = S3Time.parseHTTPDate(serverDate), clock.adjust(toServerMillis: serverMillis) {
                    retryable = true
                }
            } catch let transport as HTTPTransportError {
                S3RequestMetrics.completed(api, status: transport.name, startedAt: started)
                failure = ObjectStoreError(kind: .remoteFailed, operation: "S3 \(operation)", target: target,
                                           code: transport.name, message: transport.message, attempts: attempt)
                retryable = transport.isRetryable
            }
            guard retryable && attempt < policy.maxAttempts else { throw failure }
            S3RequestMetrics.retried(api)
            usleep(UInt32(policy.delayMillis(afterAttempt: attempt) * 1000))
        }
    }

    /// CompleteMultipartUpload can fail after S3 has sent 200 OK: the error
    /// then arrives as the body. (Only POST answers are checked: an object's
    /// own bytes may well contain "<Error>".)
    private static func isErrorDocument(_ response: HTTPResponse) -> Bool {
        let head = response.body.prefix(256)
        guard head.count > 7 else { return false }
        return String(decoding: head, as: UTF8.self).contains("<Error>")
    }

    private func scopedKey(_ key: String, operation: String) throws -> String {
        guard !key.isEmpty else {
            throw ObjectStoreError(kind: .invalidKey, operation: "S3 \(operation)", target: location,
                                   message: "empty key")
        }
        return prefix + key
    }

    private func unscoped(_ fullKey: String) -> String {
        fullKey.hasPrefix(prefix) ? String(fullKey.dropFirst(prefix.count)) : fullKey
    }

    private func target(_ fullKey: String) -> String { "s3://\(bucket)/\(fullKey)" }

    private func remoteError(_ operation: String, _ fullKey: String, status: Int, message: String) -> ObjectStoreError {
        ObjectStoreError(kind: .remoteFailed, operation: "S3 \(operation)", target: target(fullKey),
                         httpStatus: status, message: message)
    }

    private func unquote(_ etag: String) -> String {
        etag.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") ? String(etag.dropFirst().dropLast()) : etag
    }

    private func xmlEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// The time requests are signed with: the local clock, corrected by the
/// offset to the server's clock once S3 has said they differ too much.
final class SigningClock: @unchecked Sendable {
    private let lock = NSLock()
    private var offsetSeconds = 0

    func now() -> Int {
        lock.lock()
        defer { lock.unlock() }
        return Int(time(nil)) + offsetSeconds
    }

    /// Adopts the server's time; false when the offset is already in use
    /// (so a server that keeps refusing is not retried for ever).
    func adjust(toServerMillis serverMillis: Int64) -> Bool {
        let offset = Int(serverMillis / 1000) - Int(time(nil))
        lock.lock()
        defer { lock.unlock() }
        if abs(offset - offsetSeconds) < 60 { return false }
        offsetSeconds = offset
        return true
    }
}
