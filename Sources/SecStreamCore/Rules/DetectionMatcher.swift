// PLACEHOLDER (replaced by the Sigma detection compiler).
public final class DetectionMatcher {
    public init() {}
    public func matches(_ event: EventView) -> Bool { false }
}
