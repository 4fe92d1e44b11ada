// libFuzzer target: S3 response bodies (ListObjectsV2 pages, error documents,
// CreateMultipartUpload) and the times in them, as a hostile endpoint could send.
import ObjectStore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzS3XML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = [UInt8](UnsafeRawBufferPointer(start: data, count: size))
    let listing = S3ListingXML(body: body)
    precondition(!listing.isTruncated || listing.continuationToken != nil || S3XML(body).text("NextContinuationToken") == nil)
    for object in listing.objects { _ = object.key.utf8.count }
    _ = S3ErrorXML(response: HTTPResponse(status: 500, headers: [:], body: body))
    _ = S3XML(body).text("UploadId")
    // Times as they arrive in listings and in Last-Modified headers.
    let text = String(decoding: body, as: UTF8.self)
    _ = S3Time.parseISO8601(text)
    _ = S3Time.parseHTTPDate(text)
    return 0
}
