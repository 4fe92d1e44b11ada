import Foundation
import SecStreamArchive
import SecStreamCore
import SecStreamLearn

/// `secstream train`: runs the inputs through the same `EventPipeline` as
/// `process` (so the windows close on the same watermark and the features
/// are computed by the same code that scores them), labels each closed
/// window from `--truth` or `--labels`, trains XGBoost on them and writes
/// the model with its feature spec.
public final class TrainRunner {
    public let options: TrainOptions

    public init(options: TrainOptions) { self.options = options }

    public func run() throws -> Int32 {
        try options.validate()
        // The built-in rules keep the engine's usual shape; their alerts are not wanted here.
        let rules = try RuleSetFactory.load(options.rules, summary: false)
        var spec = WindowFeatureSpec.standard(groupBy: options.groupBy, windowMs: options.window.milliseconds)
        // `--rules`: their detection rules' matches per window are features too.
        let ruleFeatures = rules.detections.filter { !$0.meta.location.file.hasPrefix("builtin:") }.map { (id: $0.meta.id, name: $0.meta.name) }
        guard ruleFeatures.count <= WindowFeatureSpec.maxRuleFeatures else {
            throw RunError(.usage, "--rules: \(ruleFeatures.count) detection rules; at most \(WindowFeatureSpec.maxRuleFeatures) become features")
        }
        spec = spec.addingRules(ruleFeatures)
        let labels: WindowLabels
        do {
            if let truth = options.truth {
                labels = try WindowLabels.load(path: truth, format: .truth, groupBy: spec.groupBy)
            } else {
                labels = try WindowLabels.load(path: options.labels!, format: .labels, groupBy: spec.groupBy)
            }
        } catch let error as WindowLabels.LabelError {
            throw RunError(.usage, "\(options.truth != nil ? "--truth" : "--labels") \(error)")
        }

        var rows: [[Double]] = []
        var positive: [Bool] = []
        let collect = { (window: ClosedWindow) in
            rows.append(window.features)
            positive.append(labels.isPositive(group: window.groupValue, start: window.start, end: window.end))
        }
        let engineOptions = EngineOptions(options.rules, idleTimeout: .zero)
        let sources = SourceTable()
        if !options.inputs.isEmpty {
            let pipeline = try makePipeline(rules, engineOptions, sources)
            pipeline.windowFeatures = PipelineWindowFeatures(spec: spec, closed: collect)
            try pipeline.run(FileLineSource(inputs: options.inputs.compactMap(\.path), sources: sources,
                                            timeField: rules.schema.paths[rules.timeField], epochUnit: rules.epochUnit))
            try pipeline.finish()
        }
        if let uri = options.archive {
            let store = try ArchiveStoreErrors.openExisting(uri, flag: "--archive")
            let objects: [ArchiveObject]
            do { objects = try ArchiveListing.objects(in: store, from: nil, to: nil) } catch {
                throw ArchiveStoreErrors.runError(error, doing: "listing \(store.location)")
            }
            let pipeline = try makePipeline(rules, engineOptions, sources)
            pipeline.windowFeatures = PipelineWindowFeatures(spec: spec, closed: collect)
            let source = ArchiveReplaySource(store: store, objects: objects, sources: sources,
                                             timeField: rules.schema.paths[rules.timeField], epochUnit: rules.epochUnit,
                                             from: nil, to: nil, speed: nil, parallelism: 4, progress: .off, keyring: nil)
            try pipeline.run(source)
            try pipeline.finish()
        }
        var trainer = XGBoostTrainer()
        trainer.rounds = options.rounds
        trainer.maxDepth = options.maxDepth
        do {
            try trainer.train(spec: spec, rows: rows, labels: positive, path: options.output)
        } catch let error as XGBoostTrainer.TrainError {
            throw RunError(.input, "train: \(error)")
        }
        if options.summary {
            let p = positive.filter { $0 }.count
            FileHandle.standardError.write(Data(("secstream: train: \(rows.count) windows of \(spec.groupBy) per "
                + "\(Durations.format(spec.windowMs)) (\(p) labelled positive from \(labels.count) labels), "
                + "\(spec.features.count) features, \(options.rounds) trees -> \(options.output)\n").utf8))
        }
        return 0
    }

    private func makePipeline(_ rules: RuleSet, _ engineOptions: EngineOptions, _ sources: SourceTable) throws -> EventPipeline {
        EventPipeline(rules: rules, engineOptions: engineOptions, sources: sources,
                      alerts: AlertWriter(sink: DiscardLineSink()), deadLetters: try DeadLetterWriter(uri: nil, kafka: KafkaClientOptions()),
                      archive: nil, threads: options.rules.threads)
    }
}
