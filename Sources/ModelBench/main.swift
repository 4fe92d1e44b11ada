import Foundation
import SecStreamLearn

// secstream-model-bench MODEL.json [WINDOWS]: how many closed windows per
// second one core scores with the native tree walk (`WindowScorer.score`,
// what `process --model` calls per window). The vectors are random within
// the ranges the generator's windows take (counts, distinct counts and byte
// sums), so the walks take both sides of the splits. Build it in release:
// `swift build -c release --product secstream-model-bench`.
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: secstream-model-bench MODEL.json [WINDOWS]\n".utf8))
    exit(2)
}
let model: WindowModel
do { model = try WindowModel.load(path: arguments[1]) } catch {
    FileHandle.standardError.write(Data("secstream-model-bench: \(error)\n".utf8))
    exit(2)
}
let windows = arguments.count > 2 ? Int(arguments[2]) ?? 10_000_000 : 10_000_000
let columns = model.spec.features.count
let distinct = 4096
var state: UInt64 = 0x9e37_79b9_7f4a_7c15
func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
}
let scale = model.spec.features.map { f -> Double in
    switch f.kind {
    case .sum: return 2_000_000
    case .ratioWhere, .hourSin, .hourCos: return 1
    default: return 80
    }
}
let vectors: [ClosedWindow] = (0..<distinct).map { _ in
    let features = (0..<columns).map { c in Double(next() % 1_000_000) / 1_000_000 * scale[c] * (next() % 4 == 0 ? 1 : 0.05) }
    return ClosedWindow(group: [], start: 0, end: 0, features: features, firstSeen: 0, lastSeen: 0, samples: [])
}
let scorer = WindowScorer(model: model, threshold: 0.5)
var sink: Float = 0
for i in 0..<100_000 { sink += scorer.score(vectors[i % distinct]) }
let start = DispatchTime.now().uptimeNanoseconds
for i in 0..<windows { sink += scorer.score(vectors[i & (distinct - 1)]) }
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
let perSecond = Double(windows) / seconds
print(String(format: "%@: %d trees, %d nodes, %d features: %d windows in %.3f s = %.2f M windows/s on one core (%.0f ns/window) [checksum %.3f]",
             model.name, model.trees.treeCount, model.trees.nodeCount, columns, windows, seconds, perSecond / 1e6,
             1e9 / perSecond, Double(sink)))
