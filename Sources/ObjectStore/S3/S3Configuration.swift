import Foundation

/// Everything the S3 store needs, resolved from the standard AWS sources:
/// the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`, `AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL`, ...),
/// then the profile in `~/.aws/credentials` and `~/.aws/config`, then
/// explicit overrides (the CLI's flags), which win over both.
public struct S3Configuration: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var endpoint: S3Endpoint
    /// Requested on every upload when set (the archive's `--sse`).
    public var serverSideEncryption: ServerSideEncryption?
    /// Bodies larger than this go up as multipart uploads.
    public var multipartThreshold: Int = 16 << 20
    /// Part size of multipart uploads (S3's minimum is 5 MiB).
    public var partSize: Int = 8 << 20
    /// Connections kept open, and parts uploaded at once.
    public var maxConnections: Int = 8
    public var retry: RetryPolicy = RetryPolicy()
    public var connectTimeoutMillis: Int = 5_000
    /// A transfer that moves no byte for this long is abandoned (and retried).
    public var stallTimeoutSeconds: Int = 30

    public init(credentials: AWSCredentials, region: String, endpoint: S3Endpoint) {
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
    }

    /// Explicit settings that take precedence over the environment and files.
    public struct Overrides: Sendable {
        public var profile: String?
        public var region: String?
        public var endpointURL: String?
        public var addressing: S3Endpoint.Addressing?
        public var credentials: AWSCredentials?
        public var serverSideEncryption: ServerSideEncryption?
        public init(profile: String? = nil, region: String? = nil, endpointURL: String? = nil,
                    addressing: S3Endpoint.Addressing? = nil, credentials: AWSCredentials? = nil,
                    serverSideEncryption: ServerSideEncryption? = nil) {
            self.profile = profile
            self.region = region
            self.endpointURL = endpointURL
            self.addressing = addressing
            self.credentials = credentials
            self.serverSideEncryption = serverSideEncryption
        }
    }

    /// Resolves the configuration the way the AWS CLI does. `environment`
    /// and `home` are parameters so that tests need not touch the process's.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment,
                               home: String = NSHomeDirectory(),
                               overrides: Overrides = Overrides()) throws -> S3Configuration {
        func env(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        let profile = overrides.profile ?? env("AWS_PROFILE") ?? env("AWS_DEFAULT_PROFILE") ?? "default"
        let credentialsPath = env("AWS_SHARED_CREDENTIALS_FILE") ?? home + "/.aws/credentials"
        let configPath = env("AWS_CONFIG_FILE") ?? home + "/.aws/config"
        let credentialsFile = try AWSConfigFile.load(path: credentialsPath, isConfig: false)
        let configFile = try AWSConfigFile.load(path: configPath, isConfig: true)
        func fromFiles(_ key: String) -> String? {
            credentialsFile.value(key, profile: profile) ?? configFile.value(key, profile: profile)
        }

        // Credentials: overrides, then the environment (both keys needed),
        // then the profile.
        let credentials: AWSCredentials
        if let explicit = overrides.credentials {
            credentials = explicit
        } else if let id = env("AWS_ACCESS_KEY_ID"), let secret = env("AWS_SECRET_ACCESS_KEY") {
            credentials = AWSCredentials(accessKeyId: id, secretAccessKey: secret,
                                         sessionToken: env("AWS_SESSION_TOKEN"))
        } else if let id = fromFiles("aws_access_key_id"), let secret = fromFiles("aws_secret_access_key") {
            credentials = AWSCredentials(accessKeyId: id, secretAccessKey: secret,
                                         sessionToken: fromFiles("aws_session_token"))
        } else {
            throw ObjectStoreError(
                kind: .configuration, operation: "S3 credentials", target: "profile \(profile)",
                message: "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add "
                    + "aws_access_key_id/aws_secret_access_key for the profile to \(credentialsPath) or \(configPath)")
        }

        let region = overrides.region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION")
            ?? configFile.value("region", profile: profile) ?? "us-east-1"

        let addressing = overrides.addressing
            ?? configFile.value("s3.addressing_style", profile: profile).flatMap(S3Endpoint.Addressing.init(rawValue:))
        let endpoint: S3Endpoint
        if let url = overrides.endpointURL ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL")
            ?? configFile.value("s3.endpoint_url", profile: profile)
            ?? configFile.value("endpoint_url", profile: profile) {
            guard let parsed = S3Endpoint.parse(url: url, addressing: addressing) else {
                throw ObjectStoreError(kind: .configuration, operation: "S3 endpoint", target: url,
                                       message: "not an http:// or https:// URL with an optional port")
            }
            endpoint = parsed
        } else {
            var aws = S3Endpoint.aws(region: region)
            if let addressing { aws.addressing = addressing }
            endpoint = aws
        }

        var configuration = S3Configuration(credentials: credentials, region: region, endpoint: endpoint)
        configuration.serverSideEncryption = overrides.serverSideEncryption
        return configuration
    }
}
