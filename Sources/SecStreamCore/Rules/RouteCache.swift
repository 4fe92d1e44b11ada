/// The routes compiled during one load, by `PipelineApplication.routeIdentity`:
/// the rules of one logsource (hundreds in the SigmaHQ pack) get their route
/// compiled once and share it. A route depends only on which pipeline items
/// applied and on what is fixed for the whole load (the pipelines, the field
/// map, the placeholder values), so sharing it gives the same route each rule
/// would compile. Not thread-safe: one load, one thread.
final class RouteCache {
    private var routes: [[Int]: RuleRoute] = [:]

    subscript(identity: [Int]) -> RuleRoute? {
        get { routes[identity] }
        set { routes[identity] = newValue }
    }
}
