import ArgumentParser
import SecStreamPipeline

/// `--model`, `--model-threshold` (process, replay).
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("model"), help: ArgumentHelp("Score each closed window with this model (from `secstream train`; XGBoost JSON) and alert at or above --model-threshold.", valueName: "file"))
    var model: String?
    @Option(name: .customLong("model-threshold"), help: ArgumentHelp("Score (0 to 1) at or above which a window alerts.", valueName: "p"))
    var threshold = ModelConfiguration().threshold

    var configuration: ModelConfiguration {
        var c = ModelConfiguration()
        c.path = model
        c.threshold = threshold
        return c
    }
}
