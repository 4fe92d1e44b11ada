import Foundation
import Yams

/// The loaded pipelines applied to one rule: decided once per rule from its
/// logsource and tags (rule conditions, `change_logsource`, `add_condition`,
/// `rule_failure`), then asked for every detection item the compiler meets
/// (field name transformations, drops, failures), in pySigma's order.
final class PipelineApplication {
    /// One detection item as transformations see it.
    struct Item {
        /// The event fields the Sigma field stands for so far (one, or candidates).
        var fields: [String]
        /// The string values (for `match_string` conditions).
        var values: [String]
        /// Ids of processing items that changed this item.
        var applied: Set<String> = []
    }

    /// An `add_condition` that applies: its position (only later items transform its fields).
    struct Route {
        var condition: AddedCondition
        var after: Int
    }

    private let items: [ProcessingItem]
    /// What the rule conditions decided (shared by every rule of the same logsource).
    private let decision: PipelineStack.Decision
    /// Indexes into `items` whose rule conditions held, in order (item-level work).
    private var itemLevel: [Int] { decision.itemLevel }
    var routes: [Route] { decision.routes }
    var failure: (message: String, location: RuleLocation)? { decision.failure }
    /// Placeholder values: `--placeholders` then each pipeline's `vars`.
    let placeholders: [String: [String]]
    let logsource: RuleLogsource
    /// A pipeline is loaded at all: without one, rules are not routed (library use).
    let routing: Bool

    /// `detectionFields` is asked only if some item's rule conditions need it.
    init(stack: PipelineStack, logsource: RuleLogsource, tags: [String],
         detectionFields: () -> [(field: String, values: [String])]) {
        items = stack.items
        routing = stack.routing
        self.placeholders = stack.placeholders
        self.logsource = logsource
        decision = stack.decide(logsource: logsource, tags: tags, detectionFields: detectionFields)
    }

    /// What compiling this rule's routes depends on besides the stack (shared
    /// by all rules): which `add_condition`s applied, and which item-level
    /// transformations apply to their fields. Rules with equal identities get
    /// the same compiled route.
    var routeIdentity: [Int] {
        routes.map(\.after) + [-1] + itemLevel
    }

    /// Whether some pipeline recognises the rule's log source in events (an
    /// `add_condition` applies to it), or the rule names no log source at all.
    var recognised: Bool { !routing || !routes.isEmpty || logsource.isEmpty }

    /// Applies the item-level transformations after position `after` (-1: all)
    /// to an item; nil when a `drop_detection_item` removed it.
    func transform(_ start: Item, after: Int = -1, at location: RuleLocation) throws -> Item? {
        var item = start
        for index in itemLevel where index > after {
            let p = items[index]
            guard p.detectionItemConditions.holds({ detectionItemHolds($0, item) }) else { continue }
            let id = p.id
            func fieldHolds(_ f: String) -> Bool {
                p.fieldNameConditions.holds { c in
                    switch c {
                    case .include(let list): return list.contains(f)
                    case .exclude(let list): return !list.contains(f)
                    }
                }
            }
            var changed = false
            func rename(_ change: (String) -> [String]?) {
                var out: [String] = []
                for f in item.fields {
                    if fieldHolds(f), let to = change(f) { out += to; changed = true } else { out.append(f) }
                }
                item.fields = out
            }
            switch p.transformation {
            case .fieldNameMapping(let mapping):
                rename { mapping[$0] }
            case .fieldNamePrefixMapping(let pairs):
                rename { f in
                    pairs.first { f.hasPrefix($0.from) }.map { [$0.to + f.dropFirst($0.from.count)] }
                }
            case .fieldNamePrefix(let prefix):
                rename { [prefix + $0] }
            case .fieldNameSuffix(let suffix):
                rename { [$0 + suffix] }
            case .dropDetectionItem:
                if item.fields.isEmpty ? p.fieldNameConditions.conditions.isEmpty : item.fields.contains(where: fieldHolds) {
                    return nil
                }
            case .detectionItemFailure(let message):
                if item.fields.isEmpty ? p.fieldNameConditions.conditions.isEmpty : item.fields.contains(where: fieldHolds) {
                    throw RuleError(location, "\(message) (processing pipeline \(p.location))", unsupported: true)
                }
            case .valuePlaceholders, .changeLogsource, .addCondition, .ruleFailure:
                break
            }
            if changed, let id { item.applied.insert(id) }
        }
        return item
    }

    private func detectionItemHolds(_ c: DetectionItemCondition, _ item: Item) -> Bool {
        switch c {
        case .processingItemApplied(let id): return item.applied.contains(id)
        case .matchString(let pattern, let negate):
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
            let any = item.values.contains { v in
                regex.firstMatch(in: v, range: NSRange(v.startIndex..., in: v)) != nil
            }
            return any != negate
        }
    }
}
