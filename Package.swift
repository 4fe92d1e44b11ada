// swift-tools-version:6.0
import PackageDescription
import Foundation

// System libraries come from Debian's -dev packages (see Makefile `deps`).
func systemLib(_ name: String, _ pc: String, _ apt: String) -> Target {
    .systemLibrary(name: name, pkgConfig: pc, providers: [.apt([apt])])
}

// Checked builds everywhere: inputs are written by attackers, so bounds and
// overflow checks stay on; measured hot loops use explicit unsafe buffers instead.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v5),
]

// The hot paths (byte scanning, codecs, window state) are optimised in debug
// builds too: the test suite pushes millions of events through the binary, and
// unoptimised Swift is ~20x slower there. Tests still link with -enable-testing.
let hotPathSettings: [SwiftSetting] = swiftSettings + [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "secstream",
    products: [
        .executable(name: "secstream", targets: ["secstream"]),
        .executable(name: "secstream-archive-bench", targets: ["ArchiveBench"]),
        .executable(name: "secstream-model-bench", targets: ["ModelBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        systemLib("CZlib", "zlib", "zlib1g-dev"),
        systemLib("CLZ4", "liblz4", "liblz4-dev"),
        systemLib("CZstd", "libzstd", "libzstd-dev"),
        systemLib("CSnappy", "snappy", "libsnappy-dev"),
        // Whole-buffer gzip (archive objects, Kafka batches): 2–3× zlib's inflate.
        systemLib("CDeflate", "libdeflate", "libdeflate-dev"),
        // Streaming gzip (`.gz` inputs, stdin): ISA-L's igzip inflate, ~2.2× zlib's.
        systemLib("CIsal", "libisal", "libisal-dev"),
        systemLib("CCurl", "libcurl", "libcurl4-openssl-dev"),
        systemLib("COpenSSL", "openssl", "libssl-dev"),
        // Multi-literal scans behind the rule prefilter (needs SSSE3; checked at run time).
        systemLib("CHyperscan", "libhs", "libhyperscan-dev"),
        // MaxMind DB reader (GeoIP2/GeoLite2 City and ASN) behind `--geoip`.
        systemLib("CMaxMindDB", "libmaxminddb", "libmaxminddb-dev"),
        // XGBoost's C API (`secstream train`): gradient-boosted trees, trained with a fixed seed on one thread.
        systemLib("CXGBoost", "xgboost", "libxgboost-dev"),

        // Compression codecs and byte streams shared by files, Kafka and the archive.
        .target(name: "Codecs", dependencies: ["CZlib", "CDeflate", "CIsal", "CLZ4", "CZstd", "CSnappy"],
                swiftSettings: hotPathSettings),
        // RE2 behind a C API for `|re`: linear-time matching, so no rule or value can stall a worker.
        .target(name: "CRE2", linkerSettings: [.linkedLibrary("re2")]),
        // Events, field extraction, Sigma rules, the windowing engine, alerts, generator.
        .target(name: "SecStreamCore", dependencies: ["Codecs", "CRE2", "CHyperscan", "CJSONScan", .product(name: "Yams", package: "Yams")],
                swiftSettings: hotPathSettings),
        // The CRC-32C instruction (SSE4.2 / ARMv8) behind a runtime CPU check: record batch checksums.
        .target(name: "CCRC32C"),
        // SIMD classification of JSON string bytes for the field scanner (a header of static inline functions).
        .target(name: "CJSONScan"),
        // The archive masker's value caches and its splice of cached values into a scanned line.
        .target(name: "CMaskSplice", dependencies: ["CJSONScan"]),
        // Crypto-PAn's flip bits with AES-NI behind a runtime CPU check (OpenSSL's EVP otherwise).
        .target(name: "CCryptoPAnFlips"),
        // Kafka wire protocol: primitives -> messages -> client.
        .target(name: "Kafka", dependencies: ["Codecs", "COpenSSL", "CCRC32C", "Metrics"], swiftSettings: swiftSettings),
        // The one worker pool (producer thread, N workers, results in production order).
        .target(name: "Workers", swiftSettings: swiftSettings),
        // One object-store protocol, two stores: local directory and S3 (SigV4 over libcurl).
        .target(name: "ObjectStore", dependencies: ["CCurl", "COpenSSL", "Workers", "Metrics"], swiftSettings: swiftSettings),
        // Prometheus metrics: registry, text/OpenMetrics exposition, the /metrics server,
        // textfile and Pushgateway outlets, process_* from /proc. Depends on nothing of
        // secstream, so Kafka and ObjectStore can record into it too.
        .target(name: "Metrics", dependencies: ["CCurl"], swiftSettings: swiftSettings),
        // The archive as replay and query read it and process writes it: object keys
        // (Hive layout by event-time hour), pruned listing, object reading, client-side
        // encryption (AES-256-GCM envelopes under a keyring).
        .target(name: "SecStreamArchive", dependencies: ["SecStreamCore", "ObjectStore", "Codecs", "COpenSSL"],
                swiftSettings: swiftSettings),
        // Masking policies (--mask): HMAC pseudonyms, Crypto-PAn, truncation, free-text
        // patterns (RE2), applied to events, alert groups and dead letters.
        .target(name: "SecStreamMask", dependencies: ["SecStreamCore", "COpenSSL", "CRE2", "CJSONScan", "CMaskSplice", "CCryptoPAnFlips", .product(name: "Yams", package: "Yams")],
                swiftSettings: hotPathSettings),
        // Learned detection: per-group window features, the feature spec stored in the model
        // file, XGBoost training (C API), and native scoring of the model's trees.
        .target(name: "SecStreamLearn", dependencies: ["SecStreamCore", "CXGBoost"],
                swiftSettings: hotPathSettings),
        // Sources -> engine -> sinks, wired for each subcommand (process over files and
        // stdin; generate, ingest, replay, query); the options, writers and sinks every command shares.
        .target(name: "SecStreamPipeline", dependencies: ["SecStreamCore", "SecStreamMask", "SecStreamArchive", "Kafka", "ObjectStore", "Codecs", "Workers", "Metrics", "CMaxMindDB", "SecStreamLearn"],
                swiftSettings: hotPathSettings),
        // `process` over Kafka: the consumer source, sessions per assignment, exactly-once
        // checkpoints, the Kafka archive sink; and the `process` entry that picks this or the
        // file runner. Built on SecStreamPipeline (its `package` API), never the reverse.
        // Hot-path settings: the source copies every record into the scan jobs.
        .target(name: "SecStreamKafkaRuntime", dependencies: ["SecStreamPipeline", "SecStreamCore", "SecStreamArchive", "Kafka", "ObjectStore", "Codecs", "Metrics"],
                swiftSettings: hotPathSettings),
        // The CLI: argument parsing only.
        .executableTarget(name: "secstream", dependencies: [
            "SecStreamKafkaRuntime", "SecStreamPipeline", "SecStreamCore", "Codecs", "Metrics",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: swiftSettings),

        .testTarget(name: "CodecsTests", dependencies: ["Codecs", "TestSupport"]),
        .testTarget(name: "SecStreamCoreTests", dependencies: ["SecStreamCore", "TestSupport"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "TestSupport", "KafkaTestSupport"]),
        // scripts/bench-archive.sh: object-store PUT/GET throughput next to boto3 (not a user command).
        .executableTarget(name: "ArchiveBench", dependencies: ["ObjectStore"], swiftSettings: swiftSettings),
        // README "A trained model": windows scored per second per core by the native tree walk.
        .executableTarget(name: "ModelBench", dependencies: ["SecStreamLearn"], swiftSettings: swiftSettings),
        // Test helpers shared by test targets: local server processes, ports, the venv.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // An in-process Kafka broker whose answers a test scripts (Kafka library and pipeline tests).
        .target(name: "KafkaTestSupport", dependencies: ["Kafka"], path: "Tests/KafkaTestSupport"),
        .testTarget(name: "ObjectStoreTests", dependencies: ["ObjectStore", "Workers", "TestSupport"]),
        .testTarget(name: "WorkersTests", dependencies: ["Workers"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"]),
        .testTarget(name: "SecStreamLearnTests", dependencies: ["SecStreamLearn", "SecStreamCore", "CXGBoost", "TestSupport"]),
        .testTarget(name: "SecStreamMaskTests", dependencies: ["SecStreamMask", "SecStreamCore", "TestSupport"]),
        .testTarget(name: "SecStreamPipelineTests", dependencies: ["SecStreamPipeline", "SecStreamMask", "SecStreamKafkaRuntime", "SecStreamArchive", "Kafka", "Metrics", "TestSupport", "KafkaTestSupport"]),
    ],
    // CRE2 includes RE2's headers, which need C++17 (std::string_view in newer releases).
    cxxLanguageStandard: .cxx17
)

// libFuzzer targets (`make fuzz-libfuzzer`), one executable per fuzzer under
// Sources/Fuzz/. They exist only when SECSTREAM_FUZZ_TARGETS is set, so the
// normal `swift build` and `swift test` neither build nor link them; the
// Makefile sets it for `swift build -c release --sanitize=fuzzer --sanitize=address
// --scratch-path .build-fuzz`. Each file defines LLVMFuzzerTestOneInput and no
// main (libFuzzer's runtime brings it), hence -parse-as-library.
if ProcessInfo.processInfo.environment["SECSTREAM_FUZZ_TARGETS"] != nil {
    let fuzzers: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzFieldScanner", ["SecStreamCore"]),
        ("FuzzArchiveMask", ["SecStreamCore", "SecStreamMask"]),
        ("FuzzSigmaRules", ["SecStreamCore"]),
        ("FuzzQuery", ["SecStreamCore"]),
        ("FuzzKafkaRecordBatch", ["Kafka"]),
        ("FuzzKafkaResponses", ["Kafka"]),
        ("FuzzS3XML", ["ObjectStore"]),
        ("FuzzCodecs", ["Codecs"]),
    ]
    for fuzzer in fuzzers {
        package.products.append(.executable(name: fuzzer.name, targets: [fuzzer.name]))
        package.targets.append(.executableTarget(
            name: fuzzer.name, dependencies: fuzzer.dependencies, path: "Sources/Fuzz/\(fuzzer.name)",
            swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])]))
    }
}
