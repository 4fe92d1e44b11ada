import Foundation

/// One run's metrics outlets: the `/metrics` server, the textfile rewritten
/// every interval and at the end, and the push at the end. Owns the registry
/// the run's components record into.
public final class MetricsExporter: @unchecked Sendable {
    public let registry = MetricRegistry()
    public let settings: MetricsSettings
    private let server: MetricsHTTPServer?
    private let textfile: TextfileWriter?
    private let pushgateway: PushgatewayClient?
    private var ticker: Thread?
    private let done = DispatchSemaphore(value: 0)
    private let finishLock = NSLock()
    private var finished = false
    /// The ticker and `finish` write the same temporary file: one at a time.
    private let fileLock = NSLock()
    /// Called before each file write and push, to publish what the run keeps
    /// (the engine's counters) into the registry first.
    public var beforeExport: (@Sendable () -> Void)?

    /// Binds the listener (failing with a one-line reason when it cannot)
    /// and registers `process_*` and `secstream_build_info`.
    public init(settings: MetricsSettings, version: String) throws {
        self.settings = settings
        ProcessCollector.register(in: registry)
        BuildInfo.register(in: registry, version: version)
        pushgateway = try settings.push.map { try PushgatewayClient(url: $0) }
        textfile = settings.file.map { TextfileWriter(path: $0) }
        let registry = self.registry
        server = try settings.listen.map { try MetricsHTTPServer(address: $0, registry: registry) }
        ActiveMetrics.registry = registry
    }

    /// Where the server listens, once started.
    public var boundAddress: ListenAddress? { server?.boundAddress }

    /// Starts serving and the periodic file writes; says where it listens on stderr.
    public func start() throws {
        if let server {
            server.start()
            FileHandle.standardError.write(Data("secstream: metrics on http://\(server.boundAddress)/metrics\n".utf8))
        }
        if let textfile {
            try writeFile(textfile)
            let interval = max(0.1, settings.intervalSeconds)
            let t = Thread { [self] in
                while done.wait(timeout: .now() + interval) == .timedOut {
                    beforeExport?()
                    // A failed periodic write is said once per failure and retried next time;
                    // the final write at the end of the run is the one that fails the run.
                    do { try writeFile(textfile) } catch {
                        FileHandle.standardError.write(Data("secstream: \(error)\n".utf8))
                    }
                }
            }
            t.name = "secstream-metrics-file"
            ticker = t
            t.start()
        }
    }

    /// End of the run: the last file write and the push, then the server stops.
    public func finish() throws {
        guard markFinished() else { return }
        done.signal()
        defer { server?.stop(); release() }
        beforeExport?()
        if let textfile { try writeFile(textfile) }
        try pushgateway?.push(exportable())
    }

    /// True for the first of `finish` and `abandon` only: the run ends once.
    private func markFinished() -> Bool {
        finishLock.lock(); defer { finishLock.unlock() }
        let first = !finished
        finished = true
        return first
    }

    private func writeFile(_ textfile: TextfileWriter) throws {
        fileLock.lock(); defer { fileLock.unlock() }
        try textfile.write(exportable())
    }

    /// A run that failed: the file and the push still get what it counted
    /// (a failed cron run's figures are what its alert needs), best effort:
    /// the run's own error is the one that is said and sets the exit code.
    public func abandon() {
        guard markFinished() else { return }
        done.signal()
        server?.stop()
        if let textfile { try? writeFile(textfile) }
        try? pushgateway?.push(exportable())
        release()
    }

    /// Kafka and S3 stop recording once the run's outlets are done.
    private func release() {
        ActiveMetrics.clear(ifStill: registry)
    }

    /// What the file and the push carry: the run's own families. Not
    /// `process_*`: node_exporter and the Pushgateway export their own
    /// process_* families, and the same name twice with other labels breaks
    /// their whole scrape. The live `/metrics` endpoint has them.
    func exportable() -> [MetricFamilySnapshot] {
        registry.snapshot().filter { !$0.name.hasPrefix("process_") }
    }
}
