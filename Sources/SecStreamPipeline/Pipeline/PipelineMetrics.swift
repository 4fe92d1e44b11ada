import Foundation
import Metrics
import SecStreamCore

/// The `secstream_*` families of a detection run (`process`, `replay`),
/// published from the counters the pipeline, the engine and the writers keep
/// anyway: once per job (a chunk of thousands of lines) on the engine thread,
/// never per event. Labels are the input kind, outcomes, reasons, rule ids
/// and levels: bounded by the configuration, never by event values.
package final class PipelineMetrics {
    private let registry: MetricRegistry
    private let input: String
    private let lines: Counter
    private let bytes: Counter
    private let ok: Counter, malformed: Counter, late: Counter, future: Counter
    private let deadMalformed: Counter, deadLate: Counter, deadFuture: Counter
    private let matches: Counter
    private let watermark: Gauge
    private let lag: Gauge
    private let openGroups: Gauge
    private let stateBytes: Gauge
    private let pendingMatches: Gauge
    private let heldEvents: Gauge
    private let evictions: Counter
    /// new_terms histories: created when a run first reports one (most runs have none).
    private var newTerms: NewTermsFamilies?
    private struct NewTermsFamilies {
        let groups: Gauge, terms: Gauge
        let forgottenGroups: Counter, forgottenTerms: Counter
    }
    /// baselines: created when a run first reports one.
    private var baselines: (groups: Gauge, forgotten: Counter)?
    /// Alert counters by (rule, level), created as rules first fire.
    private var alertCounters: [AlertWriter.RuleLevel: Counter] = [:]
    private var alertsPublished = -1
    /// Per input index (Kafka partition, file input followed or merged): its latest event time and lag.
    private var inputGauges: [Int: (time: Gauge, lag: Gauge)] = [:]
    /// A Kafka run starts a new `EventPipeline` per session (rebalance): the
    /// per-pipeline counts of the sessions before are carried in `base`.
    private var current: ObjectIdentifier?
    private var base = Totals(), last = Totals()
    private struct Totals {
        var lines = 0, bytes = 0, admitted = 0, matches = 0, evicted = 0
        var newTermsGroupsForgotten = 0, newTermsTermsForgotten = 0
        var baselineGroupsForgotten = 0
        static func + (a: Totals, b: Totals) -> Totals {
            Totals(lines: a.lines + b.lines, bytes: a.bytes + b.bytes, admitted: a.admitted + b.admitted,
                   matches: a.matches + b.matches, evicted: a.evicted + b.evicted,
                   newTermsGroupsForgotten: a.newTermsGroupsForgotten + b.newTermsGroupsForgotten,
                   newTermsTermsForgotten: a.newTermsTermsForgotten + b.newTermsTermsForgotten,
                   baselineGroupsForgotten: a.baselineGroupsForgotten + b.baselineGroupsForgotten)
        }
    }

    /// `input`: what the run reads (`file`, `stdin`, `archive`, `kafka`).
    package init(registry: MetricRegistry, input: String) {
        self.registry = registry
        self.input = input
        let i = ["input": input]
        lines = Counter(registry, "secstream_lines_read_total", help: "Lines read, events or not.", labels: i)
        bytes = Counter(registry, "secstream_read_bytes_total", help: "Bytes of input read (uncompressed, with newlines).", labels: i)
        let eventsHelp = "Events read, by outcome: ok (admitted on time), malformed, late (behind the watermark), future (past --max-future-skew)."
        func events(_ outcome: String) -> Counter {
            Counter(registry, "secstream_events_total", help: eventsHelp, labels: ["input": input, "outcome": outcome])
        }
        ok = events("ok"); malformed = events("malformed"); late = events("late"); future = events("future")
        let deadHelp = "Dead letters written, by reason."
        deadMalformed = Counter(registry, "secstream_dead_letters_total", help: deadHelp, labels: ["reason": "malformed"])
        deadLate = Counter(registry, "secstream_dead_letters_total", help: deadHelp, labels: ["reason": "late"])
        deadFuture = Counter(registry, "secstream_dead_letters_total", help: deadHelp, labels: ["reason": "future"])
        matches = Counter(registry, "secstream_rule_matches_total", help: "Detection matches accepted by the engine.")
        watermark = Gauge(registry, "secstream_watermark_seconds", help: "The event-time watermark (Unix seconds).", labels: i)
        lag = Gauge(registry, "secstream_event_time_lag_seconds", help: "Wall clock minus the watermark (seconds).", labels: i)
        openGroups = Gauge(registry, "secstream_live_groups", help: "Correlation (rule, group) windows holding state.")
        stateBytes = Gauge(registry, "secstream_window_state_bytes", help: "Window state size at the last --max-state check (bytes, estimated).")
        pendingMatches = Gauge(registry, "secstream_reorder_pending_matches", help: "Matches waiting in the reorder buffer for the watermark.")
        heldEvents = Gauge(registry, "secstream_future_held_events", help: "Events held aside as possibly from a forged clock.")
        evictions = Counter(registry, "secstream_window_evictions_total", help: "Open windows dropped to stay under --max-state.")
    }

    /// Engine thread, after each job and at the end.
    package func publish(_ pipeline: EventPipeline) {
        let c = pipeline.engine.counters
        let d = pipeline.deadLetters
        let id = ObjectIdentifier(pipeline)
        if current != id {
            if current != nil { base = base + last }
            current = id
        }
        last = Totals(lines: pipeline.lines, bytes: pipeline.bytes, admitted: c.eventsAdmitted, matches: c.matches,
                      evicted: c.evictedWindows, newTermsGroupsForgotten: c.newTermsEvictedGroups,
                      newTermsTermsForgotten: c.newTermsEvictedTerms, baselineGroupsForgotten: c.baselineEvictedGroups)
        let total = base + last
        lines.set(Double(total.lines))
        bytes.set(Double(total.bytes))
        ok.set(Double(total.admitted))
        malformed.set(Double(d.malformed)); late.set(Double(d.late)); future.set(Double(d.future))
        deadMalformed.set(Double(d.malformed)); deadLate.set(Double(d.late)); deadFuture.set(Double(d.future))
        matches.set(Double(total.matches))
        let w = pipeline.engine.watermark
        if w != Int64.min {
            watermark.set(Double(w) / 1000)
            lag.set(Date().timeIntervalSince1970 - Double(w) / 1000)
        }
        let now = Date().timeIntervalSince1970
        pipeline.engine.forEachInputEventTime { index, maxTime in
            let gauges = inputGauges[index] ?? {
                let labels = ["input": input, "partition": String(index)]
                let made = (Gauge(registry, "secstream_input_event_time_seconds",
                                  help: "Per partition (Kafka) or file input (its --input index; followed, or one of several merged): the latest event time read (Unix seconds).",
                                  labels: labels),
                            Gauge(registry, "secstream_input_event_time_lag_seconds",
                                  help: "Per partition or file input: wall clock minus its latest event time (seconds).", labels: labels))
                inputGauges[index] = made
                return made
            }()
            gauges.time.set(Double(maxTime) / 1000)
            gauges.lag.set(now - Double(maxTime) / 1000)
        }
        openGroups.set(Double(c.openGroups))
        stateBytes.set(Double(c.stateBytes))
        pendingMatches.set(Double(c.pendingMatches))
        heldEvents.set(Double(c.heldEvents))
        evictions.set(Double(total.evicted))
        publishNewTerms(c, total)
        publishBaselines(c, total)
        let alerts = pipeline.alerts
        if alerts.written != alertsPublished {
            alertsPublished = alerts.written
            for (key, count) in alerts.byRule.sorted(by: { ($0.key.rule, $0.key.level) < ($1.key.rule, $1.key.level) }) {
                let counter = alertCounters[key] ?? {
                    let made = Counter(registry, "secstream_alerts_total", help: "Alerts written, by rule id and level.",
                                       labels: ["rule": key.rule, "level": key.level])
                    alertCounters[key] = made
                    return made
                }()
                counter.set(Double(count))
            }
        }
    }

    /// The new_terms families, once the run has learned anything.
    private func publishNewTerms(_ c: EngineCounters, _ total: Totals) {
        if newTerms == nil {
            guard c.newTermsGroups > 0 || total.newTermsGroupsForgotten > 0 else { return }
            let forgottenHelp = "new_terms history forgotten, by what bounded it: max_state (whole groups, least recently seen) or max_terms (a group's least recently seen term)."
            newTerms = NewTermsFamilies(
                groups: Gauge(registry, "secstream_new_terms_groups", help: "Groups new_terms rules remember."),
                terms: Gauge(registry, "secstream_new_terms_terms", help: "Terms new_terms rules remember, over all groups."),
                forgottenGroups: Counter(registry, "secstream_new_terms_forgotten_total", help: forgottenHelp,
                                         labels: ["bound": "max_state"]),
                forgottenTerms: Counter(registry, "secstream_new_terms_forgotten_total", help: forgottenHelp,
                                        labels: ["bound": "max_terms"]))
        }
        guard let f = newTerms else { return }
        f.groups.set(Double(c.newTermsGroups))
        f.terms.set(Double(c.newTermsTerms))
        f.forgottenGroups.set(Double(total.newTermsGroupsForgotten))
        f.forgottenTerms.set(Double(total.newTermsTermsForgotten))
    }

    /// The baseline families, once the run has learned anything.
    private func publishBaselines(_ c: EngineCounters, _ total: Totals) {
        if baselines == nil {
            guard c.baselineGroups > 0 || total.baselineGroupsForgotten > 0 else { return }
            baselines = (Gauge(registry, "secstream_baseline_groups", help: "Groups whose window history baseline rules remember."),
                         Counter(registry, "secstream_baseline_forgotten_total",
                                 help: "Baseline groups forgotten to stay under --max-state (least recently scored first)."))
        }
        guard let b = baselines else { return }
        b.groups.set(Double(c.baselineGroups))
        b.forgotten.set(Double(total.baselineGroupsForgotten))
    }
}
