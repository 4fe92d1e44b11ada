import Metrics

/// `secstream query`'s families, published per archive object delivered.
final class QueryMetrics {
    private let objectsOK: Counter, objectsCorrupt: Counter
    private let eventsOK: Counter, eventsMalformed: Counter
    private let matched: Counter

    init(registry: MetricRegistry) {
        let objectsHelp = "Archive objects read, by outcome (ok, corrupt: skipped)."
        objectsOK = Counter(registry, "secstream_archive_objects_read_total", help: objectsHelp, labels: ["outcome": "ok"])
        objectsCorrupt = Counter(registry, "secstream_archive_objects_read_total", help: objectsHelp, labels: ["outcome": "corrupt"])
        let eventsHelp = "Events read, by outcome."
        eventsOK = Counter(registry, "secstream_events_total", help: eventsHelp, labels: ["input": "archive", "outcome": "ok"])
        eventsMalformed = Counter(registry, "secstream_events_total", help: eventsHelp, labels: ["input": "archive", "outcome": "malformed"])
        matched = Counter(registry, "secstream_query_matched_events_total", help: "Events the --where expression matched.")
    }

    func publish(objects: Int, corrupt: Int, events: Int, malformed: Int, matched: Int) {
        objectsOK.set(Double(objects)); objectsCorrupt.set(Double(corrupt))
        eventsOK.set(Double(events)); eventsMalformed.set(Double(malformed))
        self.matched.set(Double(matched))
    }
}
