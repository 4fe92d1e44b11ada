import SecStreamMask

/// Where a masking policy applies in a detection run. By default the workers
/// scan raw events (thresholds and group keys stay exact) and what is written
/// is masked: archived lines by the workers after the scan (the engine thread
/// copies their masked bytes), alert group values and dead letters by the
/// engine thread. `--mask-before-detect` masks each line on its worker before the
/// scan instead, so detection, archive and dead letters all see the masked
/// event and the alert ids are those a replay of the masked archive computes.
package struct PipelineMasking {
    package let policy: MaskPolicy
    package let beforeDetect: Bool

    package init(policy: MaskPolicy, beforeDetect: Bool) {
        self.policy = policy
        self.beforeDetect = beforeDetect
    }

    package init?(_ configuration: MaskingConfiguration) throws {
        guard let policy = try configuration.load() else { return nil }
        self.init(policy: policy, beforeDetect: configuration.beforeDetect)
    }
}
