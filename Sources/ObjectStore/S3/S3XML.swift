/// Just enough XML for S3's responses, which are flat and machine-made:
/// find `<Tag>text</Tag>` elements in order and decode the five predefined
/// entities and numeric character references. No attributes, CDATA or
/// namespaces matter here (a namespace is an attribute on the root).
package struct S3XML {
    package let bytes: [UInt8]

    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The raw contents (undecoded) of each `<tag>...</tag>` in `range`, in order.
    package func elements(_ tag: String, in range: Range<Int>? = nil) -> [Range<Int>] {
        let open = Array("<\(tag)>".utf8), close = Array("</\(tag)>".utf8)
        let scope = range ?? 0..<bytes.count
        var result: [Range<Int>] = []
        var position = scope.lowerBound
        while let start = find(open, from: position, before: scope.upperBound) {
            let contentStart = start + open.count
            guard let end = find(close, from: contentStart, before: scope.upperBound) else { break }
            result.append(contentStart..<end)
            position = end + close.count
        }
        // Empty elements are written <Tag/>; they carry no text.
        return result
    }

    /// Decoded text of the first `<tag>` in `range`.
    package func text(_ tag: String, in range: Range<Int>? = nil) -> String? {
        elements(tag, in: range).first.map(decode)
    }

    package func decode(_ range: Range<Int>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var i = range.lowerBound
        while i < range.upperBound {
            let byte = bytes[i]
            if byte == UInt8(ascii: "&"), let semicolon = find([UInt8(ascii: ";")], from: i, before: min(range.upperBound, i + 12)) {
                let entity = String(decoding: bytes[(i + 1)..<semicolon], as: UTF8.self)
                if let replacement = Self.entity(entity) {
                    out.append(contentsOf: replacement)
                    i = semicolon + 1
                    continue
                }
            }
            out.append(byte)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func entity(_ name: String) -> [UInt8]? {
        switch name {
        case "amp": return [UInt8(ascii: "&")]
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default:
            guard name.hasPrefix("#") else { return nil }
            let digits = name.dropFirst()
            let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            guard let value, let scalar = Unicode.Scalar(value) else { return nil }
            return Array(String(Character(scalar)).utf8)
        }
    }

    private func find(_ needle: [UInt8], from start: Int, before end: Int) -> Int? {
        guard needle.count <= end - start else { return nil }
        var i = start
        let first = needle[0]
        while i + needle.count <= end {
            if bytes[i] == first {
                var j = 1
                while j < needle.count && bytes[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}

/// One page of a ListObjectsV2 answer: `<Contents>` (key, size, ETag,
/// last-modified), `<CommonPrefixes>`, and whether more pages follow.
package struct S3ListingXML {
    package struct Object: Equatable {
        package var key: String
        package var size: Int
        package var etag: String
        package var lastModifiedMillis: Int64
    }

    package var objects: [Object] = []
    package var commonPrefixes: [String] = []
    package var isTruncated = false
    package var continuationToken: String?

    package init(body: [UInt8]) {
        let xml = S3XML(body)
        for contents in xml.elements("Contents") {
            guard let key = xml.text("Key", in: contents) else { continue }
            objects.append(Object(
                key: key,
                size: Int(xml.text("Size", in: contents) ?? "") ?? 0,
                etag: Self.unquote(xml.text("ETag", in: contents) ?? ""),
                lastModifiedMillis: S3Time.parseISO8601(xml.text("LastModified", in: contents) ?? "") ?? 0))
        }
        for common in xml.elements("CommonPrefixes") {
            if let value = xml.text("Prefix", in: common) { commonPrefixes.append(value) }
        }
        isTruncated = xml.text("IsTruncated") == "true"
        continuationToken = isTruncated ? xml.text("NextContinuationToken") : nil
    }

    private static func unquote(_ etag: String) -> String {
        etag.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") ? String(etag.dropFirst().dropLast()) : etag
    }
}

/// S3's error document: `<Error><Code/><Message/><RequestId/>...</Error>`.
/// HEAD responses and some proxies send no body; the status and the
/// `x-amz-request-id` header stand in.
package struct S3ErrorXML {
    package var code: String?
    package var message: String?
    package var requestId: String?

    package init(response: HTTPResponse) {
        let xml = S3XML(response.body)
        code = xml.text("Code")
        message = xml.text("Message")
        requestId = xml.text("RequestId") ?? response.headers["x-amz-request-id"]
        if message == nil && !response.body.isEmpty && code == nil {
            // Not S3 XML (a proxy's HTML page, say): keep a short excerpt.
            let excerpt = String(decoding: response.body.prefix(200), as: UTF8.self)
                .split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
            message = excerpt
        }
        if code == nil {
            switch response.status {
            case 404: code = "NotFound"
            case 403: code = "Forbidden"
            case 503: code = "ServiceUnavailable"
            default: break
            }
        }
    }
}

/// Times in S3 responses, to epoch milliseconds.
package enum S3Time {
    /// ISO 8601 as in listings: `2026-11-20T13:05:09.000Z`.
    package static func parseISO8601(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 19 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for i in from..<(from + count) {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2) else { return nil }
        var millis = 0
        if b.count > 20 && b[19] == UInt8(ascii: ".") {
            var scale = 100
            var i = 20
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                millis += Int(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        guard isValid(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else { return nil }
        return epochMillis(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis)
    }

    /// RFC 1123 as in `Last-Modified`: `Sat, 21 Nov 2026 02:33:51 GMT`.
    package static func parseHTTPDate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count >= 5 else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let clock = parts[4].split(separator: ":")
        guard let day = Int(parts[1]), let monthIndex = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]), clock.count == 3,
              let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]) else { return nil }
        guard isValid(year: year, month: monthIndex + 1, day: day, hour: hour, minute: minute, second: second) else { return nil }
        return epochMillis(year: year, month: monthIndex + 1, day: day, hour: hour, minute: minute, second: second, millis: 0)
    }

    /// The fields of a real date (a second of 60 is a leap second). Times come
    /// from the server's headers and bodies: a year of 19 digits must be
    /// rejected here, not overflow the arithmetic below.
    static func isValid(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Bool {
        (0...9999).contains(year) && (1...12).contains(month) && (1...31).contains(day)
            && (0...23).contains(hour) && (0...59).contains(minute) && (0...60).contains(second)
    }

    /// Days from civil (Howard Hinnant's algorithm), proleptic Gregorian, UTC.
    static func epochMillis(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Int64(((days * 24 + hour) * 60 + minute) * 60 + second) * 1000 + Int64(millis)
    }
}
