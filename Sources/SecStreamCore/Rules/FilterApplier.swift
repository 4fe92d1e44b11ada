/// Applies Sigma filter documents (the Sigma filters specification): each
/// filter's condition is ANDed to the condition of every rule it names whose
/// logsource matches the filter's, compiled through that rule's pipelines so
/// the filter's field names map the way the rule's do.
struct FilterApplier {
    let schema: FieldSchema
    let fieldMap: FieldMap
    let strict: Bool

    func apply(_ filters: [ParsedFilter], to detections: [DetectionRule], skippedNames: [String: String],
               report: inout RuleLoadReport) throws {
        var filtered = Set<ObjectIdentifier>()
        for f in filters {
            for (text, node) in f.rules {
                let targets = detections.filter { $0.meta.id == text || $0.meta.name == text }
                if targets.isEmpty {
                    if skippedNames[text] != nil { continue }
                    throw f.reader.error(node, "filter names rule '\(text)', which no loaded rule has as id or name")
                }
                let ls = f.meta.logsource
                for rule in targets where rule.meta.logsource.satisfies(product: ls.product, category: ls.category, service: ls.service) {
                    var compiler = DetectionCompiler(reader: f.reader, schema: schema, fieldMap: fieldMap)
                    compiler.pipelines = rule.pipelines
                    let condition: DetectionMatcher
                    do {
                        condition = try compiler.compile(f.detection, skipping: ["rules"])
                    } catch let e as RuleError where e.isUnsupported && !strict {
                        report.unsupported.append(RuleError(e.location, "filter not applied to \(rule.meta.location): \(e.problem)",
                                                            unsupported: true))
                        continue
                    }
                    rule.matcher = DetectionMatcher(allOf: [rule.matcher, condition])
                    filtered.insert(ObjectIdentifier(rule))
                }
            }
        }
        report.filters = filters.count
        report.filteredRules = filtered.count
    }
}
