import ArgumentParser
import SecStreamPipeline

/// `--mask FILE` and `--mask-before-detect`, shared by `process` and `replay`
/// (`query` takes `--mask` alone: it detects nothing).
struct MaskOptions: ParsableArguments {
    @Option(name: .customLong("mask"), help: ArgumentHelp("Masking policy (YAML, see secstream-mask(5)): everything written holds masked values.", valueName: "file"))
    var policy: String?
    @Flag(name: .customLong("mask-before-detect"), help: "Run detection on masked values (alert ids then match a replay of the masked archive).")
    var beforeDetect = false

    func validate() throws {
        if beforeDetect && policy == nil { throw ValidationError("--mask-before-detect needs --mask FILE") }
    }

    var configuration: MaskingConfiguration {
        var m = MaskingConfiguration()
        m.policyPath = policy
        m.beforeDetect = beforeDetect
        return m
    }
}
