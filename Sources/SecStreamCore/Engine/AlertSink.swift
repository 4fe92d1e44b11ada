/// Where the engine delivers alerts, in their deterministic order. Called on
/// the engine thread; the pipeline's implementation encodes and writes them.
/// A sink that cannot write throws: the engine call that fired the alert
/// (`admission`, `advance`, `finish`) throws it to its caller.
public protocol AlertSink: AnyObject {
    func emit(_ alert: Alert) throws
}
