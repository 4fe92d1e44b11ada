/// `secstream_build_info{version=...} 1`: the Prometheus convention for
/// joining a version onto other series (`* on(instance) group_left(version)`)
/// without putting the version on every series.
public enum BuildInfo {
    public static func register(in registry: MetricRegistry, version: String) {
        Gauge(registry, "secstream_build_info", help: "secstream build; the value is always 1.",
              labels: ["version": version, "swift": swiftVersion]).set(1)
    }

    static var swiftVersion: String {
        // The compiler's version, not the language mode the target is built in.
        #if compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #elseif compiler(>=6.0)
        return "6.0"
        #else
        return "5"
        #endif
    }
}
