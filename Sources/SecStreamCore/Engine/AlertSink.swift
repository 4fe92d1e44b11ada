/// Where the engine delivers alerts, in their deterministic order. Called on
/// the engine thread; the pipeline's implementation encodes and writes them.
public protocol AlertSink: AnyObject {
    func emit(_ alert: Alert)
}
