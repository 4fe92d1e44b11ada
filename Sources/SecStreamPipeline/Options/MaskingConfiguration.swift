import SecStreamCore
import SecStreamMask

/// `--mask FILE` and `--mask-before-detect` (process, replay; query takes `--mask`).
public struct MaskingConfiguration {
    /// The policy file (secstream-mask(5)); nil: nothing is masked.
    public var policyPath: String?
    /// Detection runs on masked values (alert ids then match a replay of the masked archive).
    public var beforeDetect = false

    public init() {}

    /// `--mask-before-detect` masks each line before the scan, so `--geoip`
    /// would look up the pseudonymised addresses: refused rather than enriched
    /// with the wrong places (GeoIP ahead of masking is not built yet).
    package func validate(geoip: [String]) throws {
        if beforeDetect && !geoip.isEmpty {
            throw RunError(.usage, "--geoip and --mask-before-detect cannot be combined (the lookup would see masked addresses)")
        }
    }

    /// The parsed policy, or nil without `--mask`. A bad policy is a usage error (exit 2).
    package func load() throws -> MaskPolicy? {
        guard let policyPath else { return nil }
        return try MaskPolicyParser.load(path: policyPath)
    }
}
