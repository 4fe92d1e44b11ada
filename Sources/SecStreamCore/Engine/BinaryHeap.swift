/// A binary min-heap ordered by a strict "comes first" predicate. The engine's
/// reorder buffer and its window-closing timers are both one of these.
struct BinaryHeap<Element> {
    private(set) var items: [Element] = []
    private let first: (Element, Element) -> Bool

    init(ordering first: @escaping (Element, Element) -> Bool) { self.first = first }

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var top: Element? { items.first }

    mutating func push(_ e: Element) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) >> 1
            if !first(items[i], items[p]) { break }
            items.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> Element {
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            let n = items.count
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                var c = l
                if l + 1 < n && first(items[l + 1], items[l]) { c = l + 1 }
                if !first(items[c], items[i]) { break }
                items.swapAt(i, c)
                i = c
            }
        }
        return top
    }
}
