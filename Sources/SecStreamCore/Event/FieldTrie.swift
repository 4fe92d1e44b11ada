/// The wanted dotted paths of a `FieldSchema` as a byte trie, walked over key
/// bytes while scanning. A `.` edge is both a literal dot in a flat key
/// (`"source.ip"`) and the step into a nested object (`{"source":{"ip"`),
/// which is how one trie serves nested, flat and mixed spellings.
///
/// Transitions are a dense table indexed by node and *byte class* (each byte
/// that occurs in some path has its own class; all others share class 0,
/// whose entries are dead), so a step is two loads and no branch.
/// Immutable after init, shared by all scanning threads.
final class FieldTrie: @unchecked Sendable {
    static let dead: Int32 = -1
    static let root: Int32 = 0

    let classCount: Int
    let nodeCount: Int
    private let classOf: UnsafeMutablePointer<UInt8>
    private let transitions: UnsafeMutablePointer<Int32>
    private let fieldOf: UnsafeMutablePointer<Int32>

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
    }

    deinit {
        classOf.deallocate()
        transitions.deallocate()
        fieldOf.deallocate()
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

    /// The field a node completes, or -1.
    @inline(__always)
    func field(_ node: Int32) -> Int32 { fieldOf[Int(node)] }
}
