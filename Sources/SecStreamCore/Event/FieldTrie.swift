/// The wanted dotted paths of a `FieldSchema` as a byte trie, walked over key
/// bytes while scanning. A `.` edge is both a literal dot in a flat key
/// (`"source.ip"`) and the step into a nested object (`{"source":{"ip"`),
/// which is how one trie serves nested, flat and mixed spellings.
///
/// Transitions are a dense table indexed by node and *byte class* (each byte
/// that occurs in some path has its own class; all others share class 0,
/// whose entries are dead), so a step is two loads and no branch.
/// A path segment `*` stands for any one key (`Event.UserData.*.Address`
/// finds `{"Event":{"UserData":{"EventXML":{"Address":..}}}}` whatever the
/// element under UserData is called). A key with a literal continuation at the
/// same level takes that path; only a key no literal path knows goes down the
/// wildcard.
///
/// Immutable after init, shared by all scanning threads.
final class FieldTrie: @unchecked Sendable {
    static let dead: Int32 = -1
    static let root: Int32 = 0

    let classCount: Int
    let nodeCount: Int
    private let classOf: UnsafeMutablePointer<UInt8>
    private let transitions: UnsafeMutablePointer<Int32>
    private let fieldOf: UnsafeMutablePointer<Int32>
    /// Per node at a segment start: the node just past a `*` segment there, or `dead`.
    private let wildcardOf: UnsafeMutablePointer<Int32>
    let keys: FieldKeyTable

    init(paths: [String]) {
        // Build with dictionaries, then flatten.
        var children: [[UInt8: Int32]] = [[:]]
        var fields: [Int32] = [-1]
        for (id, path) in paths.enumerated() {
            var node = 0
            for b in path.utf8 {
                if let next = children[node][b] {
                    node = Int(next)
                } else {
                    children.append([:])
                    fields.append(-1)
                    children[node][b] = Int32(children.count - 1)
                    node = children.count - 1
                }
            }
            fields[node] = Int32(id)
        }
        var classes = [UInt8](repeating: 0, count: 256)
        var classCount = 1
        for b in Set(paths.flatMap { Array($0.utf8) }).sorted() {
            classes[Int(b)] = UInt8(classCount)
            classCount += 1
        }
        self.classCount = classCount
        nodeCount = children.count
        classOf = .allocate(capacity: 256)
        classOf.initialize(from: classes, count: 256)
        transitions = .allocate(capacity: nodeCount * classCount)
        transitions.initialize(repeating: Self.dead, count: nodeCount * classCount)
        for (node, edges) in children.enumerated() {
            for (b, next) in edges { transitions[node * classCount + Int(classes[Int(b)])] = next }
        }
        fieldOf = .allocate(capacity: nodeCount)
        fieldOf.initialize(from: fields, count: nodeCount)
        wildcardOf = .allocate(capacity: nodeCount)
        wildcardOf.initialize(repeating: Self.dead, count: nodeCount)
        for path in paths {
            // The `*` edge out of a segment start ("*" alone between dots or at an end).
            let bytes = Array(path.utf8)
            var node = 0
            for (k, b) in bytes.enumerated() {
                let next = Int(children[node][b]!)
                if b == 0x2a && (k == 0 || bytes[k - 1] == 0x2e) && (k + 1 == bytes.count || bytes[k + 1] == 0x2e) {
                    wildcardOf[node] = Int32(next)
                }
                node = next
            }
        }

        // Every key spelling: from each segment start (the root, or just past a
        // `.`) to each point where a key can end (before a `.`, or the path's end).
        var spellings: [(Int32, [UInt8], Int32, Int32)] = []
        var seen = Set<[UInt8]>()
        for path in paths {
            let bytes = Array(path.utf8)
            var nodes: [Int] = [0]
            for b in bytes { nodes.append(Int(children[nodes.last!][b]!)) }
            let starts = [0] + bytes.indices.filter { bytes[$0] == 0x2e }.map { $0 + 1 }
            let ends = bytes.indices.filter { bytes[$0] == 0x2e } + [bytes.count]
            for a in starts {
                for b in ends where b >= a && b - a <= FieldKeyTable.maxKeyLength {
                    let key = Array(bytes[a..<b])
                    let id = [UInt8(truncatingIfNeeded: nodes[a]), UInt8(truncatingIfNeeded: nodes[a] >> 8),
                              UInt8(truncatingIfNeeded: nodes[a] >> 16), 0] + key
                    guard seen.insert(id).inserted else { continue }
                    let end = nodes[b]
                    let dot = classes[0x2e] == 0 ? -1 : children[end][0x2e].map { Int32($0) } ?? -1
                    spellings.append((Int32(nodes[a]), key, fields[end], dot))
                }
            }
        }
        keys = FieldKeyTable(spellings: spellings)
    }

    deinit {
        classOf.deallocate()
        transitions.deallocate()
        fieldOf.deallocate()
        wildcardOf.deallocate()
        keys.deallocate()
    }

    @inline(__always)
    func step(_ node: Int32, _ byte: UInt8) -> Int32 {
        transitions[Int(node) &* classCount &+ Int(classOf[Int(byte)])]
    }

    /// The node reached from `node` over `count` bytes, or `dead`.
    @inline(__always)
    func walk(_ node: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
        var n = node
        var i = 0
        while i < count && n >= 0 {
            n = step(n, bytes[i])
            i &+= 1
        }
        return n
    }

    /// Looks a key up from `node`: the field it completes (or -1) and the node
    /// to continue from inside an object value (or `dead`); nil if no wanted
    /// path continues. `readable` is how many bytes can be read at `key`.
    @inline(__always)
    func lookupKey(_ node: Int32, _ key: UnsafePointer<UInt8>, _ length: Int, readable: Int) -> (field: Int32, child: Int32)? {
        if length <= FieldKeyTable.maxKeyLength && readable >= 16 {
            if let hit = keys.lookup(node, key, length) { return hit }
            return wildcard(node)
        }
        let n = walk(node, key, length)
        if n >= 0 {
            let hit = (field: field(n), child: step(n, 0x2e))
            if hit.field >= 0 || hit.child >= 0 { return hit }  // else only a prefix of a wanted key
        }
        return wildcard(node)
    }

    /// Where a key no literal path knows goes from `node`: past its `*` segment, if any.
    @inline(__always)
    func wildcard(_ node: Int32) -> (field: Int32, child: Int32)? {
        let w = wildcardOf[Int(node)]
        return w >= 0 ? (field(w), step(w, 0x2e)) : nil
    }

    /// The field a node completes, or -1.
    @inline(__always)
    func field(_ node: Int32) -> Int32 { fieldOf[Int(node)] }
}
