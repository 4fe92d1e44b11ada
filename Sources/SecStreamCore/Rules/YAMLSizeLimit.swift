import Yams
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A bound on what one YAML document may expand to.
///
/// YAML aliases let a few hundred bytes stand for billions of nodes (the
/// "billion laughs": ten anchors of ten aliases each). The parser shares the
/// aliased nodes, so reading is cheap, but everything that walks the document
/// afterwards (rule compilation, the pipelines) would visit every copy and
/// never finish. Rules, pipelines, field maps and placeholder files are small:
/// a document that expands past `maxNodes` is refused with its file and line.
enum YAMLSizeLimit {
    static let maxNodes = 1_000_000

    /// Throws when `document` expands to more than `maxNodes` nodes. Stops
    /// counting at the bound, so it costs at most `maxNodes` steps.
    /// `text`, when given, is the document's source: without an anchor (`&`)
    /// in it there can be no alias, the tree is no larger than the text, and
    /// it is not walked (the walk was a twelfth of loading a large pack).
    static func check(_ document: Node, file: String, text: String? = nil) throws {
        if let text, !containsAnchor(text) { return }
        var budget = maxNodes
        func walk(_ node: Node) -> Bool {
            budget -= 1
            if budget < 0 { return false }
            switch node {
            case .scalar, .alias: return true
            case .sequence(let s): return s.allSatisfy(walk)
            case .mapping(let m): return m.allSatisfy { walk($0.key) && walk($0.value) }
            }
        }
        if !walk(document) {
            throw RuleError(RuleLocation(file: file, line: document.mark?.line ?? 1),
                            "the YAML document expands to more than \(maxNodes) nodes (aliases of aliases?)")
        }
    }

    /// Whether `text` has a `&` (could declare an anchor): `memchr` over its
    /// UTF-8, not the generic `contains`, which went byte by byte through the
    /// string view (a third of what the walk itself cost).
    private static func containsAnchor(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { u in
            guard let base = u.baseAddress else { return false }
            return memchr(base, Int32(UInt8(ascii: "&")), u.count) != nil
        }
    }
}
