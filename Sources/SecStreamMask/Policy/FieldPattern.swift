/// A policy field name: a dotted path (`user.name`), where `*` stands for any
/// run of characters (`*.ip`, `user.*`, `*password*`). Exact names are looked
/// up in a dictionary; only the wildcard ones are tried in turn.
struct FieldPattern: Sendable {
    let text: String
    private let pieces: [[UInt8]]

    init(_ text: String) {
        self.text = text
        pieces = text.split(separator: "*", omittingEmptySubsequences: false).map { Array($0.utf8) }
    }

    var isWildcard: Bool { pieces.count > 1 }

    func matches(_ path: String) -> Bool {
        let s = Array(path.utf8)
        guard pieces.count > 1 else { return s == pieces[0] }
        let first = pieces[0], last = pieces[pieces.count - 1]
        guard s.count >= first.count + last.count, s.starts(with: first), s.suffix(last.count).elementsEqual(last)
        else { return false }
        var at = first.count
        let end = s.count - last.count
        for piece in pieces[1..<(pieces.count - 1)] where !piece.isEmpty {
            guard let found = Self.find(piece, in: s, from: at, before: end) else { return false }
            at = found + piece.count
        }
        return at <= end
    }

    private static func find(_ needle: [UInt8], in s: [UInt8], from: Int, before end: Int) -> Int? {
        guard needle.count <= end - from else { return nil }
        var i = from
        while i + needle.count <= end {
            if s[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
