import Foundation

/// Finds the pipelines `--pipeline NAME|FILE` names: a built-in by name
/// (`ecs`, `windows-evtx`, ...), otherwise a YAML file.
public enum PipelineCatalog {
    /// The built-in pipeline names, in file-name order.
    public static var builtinNames: [String] {
        BuiltinPipelines.files.map { ($0.name as NSString).deletingPathExtension }
    }

    public static func builtin(_ name: String) throws -> ProcessingPipeline? {
        guard let file = BuiltinPipelines.files.first(where: { ($0.name as NSString).deletingPathExtension == name }) else {
            return nil
        }
        // Compiled in, so not hostile: no size walk (a tenth of start-up).
        return try PipelineParser.parse(file.text, source: "builtin:\(file.name)", defaultName: name, checkSize: false)
    }

    /// A built-in name, or a path to a pipeline file.
    public static func resolve(_ nameOrPath: String) throws -> ProcessingPipeline {
        if let p = try builtin(nameOrPath) { return p }
        guard FileManager.default.fileExists(atPath: nameOrPath) else {
            throw RuleError(file: nameOrPath, line: 0,
                            "no such processing pipeline (built-in: \(builtinNames.joined(separator: ", ")); or a YAML file)")
        }
        return try PipelineParser.load(path: nameOrPath)
    }
}
