import ArgumentParser
import Metrics
import SecStreamCore
import SecStreamPipeline

// ArgumentParser parses each typed flag once, through these conformances; a
// value that does not parse is a usage error (exit 2) naming the flag. The
// ranges a flag allows are checked by the configuration it lands in.

/// `ExpressibleByArgument` can only refuse a value, not say why; the
/// library's parsers say why. The reasons are kept here (the command line is
/// parsed once, on the main thread) so main.swift can add the reason to
/// ArgumentParser's line, which names the flag and the value.
enum RefusedValues {
    nonisolated(unsafe) private static var reasons: [String: String] = [:]

    /// `parser(text)`, or nil with the reason kept.
    static func parse<T>(_ text: String, _ parser: (String) throws -> T) -> T? {
        do { return try parser(text) } catch {
            reasons[text] = (error as? OptionValueError)?.reason ?? "\(error)"
            return nil
        }
    }

    /// ArgumentParser's "The value 'V' is invalid for '--flag <name>'", followed
    /// by why V was refused when one of the parsers below refused it.
    static func explain(_ message: String) -> String {
        for (value, reason) in reasons where message.hasPrefix("The value '\(value)' is invalid") {
            return message + ": " + reason
        }
        return message
    }
}

extension TimeSpan: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = RefusedValues.parse(argument, TimeSpan.init(parsing:)) else { return nil }
        self = value
    }
}

extension ByteSize: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = RefusedValues.parse(argument, ByteSize.init(parsing:)) else { return nil }
        self = value
    }
}

extension Timestamp: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = RefusedValues.parse(argument, Timestamp.init(parsing:)) else { return nil }
        self = value
    }
}

extension InputURI: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = RefusedValues.parse(argument, InputURI.init(parsing:)) else { return nil }
        self = value
    }
}

extension OutputURI: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = RefusedValues.parse(argument, OutputURI.init(parsing:)) else { return nil }
        self = value
    }
}

extension ArchiveURI: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = RefusedValues.parse(argument, ArchiveURI.init(parsing:)) else { return nil }
        self = value
    }
}

extension KafkaBrokers: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = RefusedValues.parse(argument, KafkaBrokers.init(parsing:)) else { return nil }
        self = value
    }
}

extension ReplaySpeed: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = RefusedValues.parse(argument, ReplaySpeed.init(parsing:)) else { return nil }
        self = value
    }
}

extension FieldList: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = RefusedValues.parse(argument, FieldList.init(parsing:)) else { return nil }
        self = value
    }
}

extension ScenarioList: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = RefusedValues.parse(argument, ScenarioList.init(parsing:)) else { return nil }
        self = value
    }
}

// Closed sets: ArgumentParser lists the values when one is refused, and
// shows them in the help. The parsers take any case (and aliases: gz, -1).

extension ArchiveCompression: ExpressibleByArgument {
    public init?(argument: String) { guard let v = try? ArchiveCompression(parsing: argument) else { return nil }; self = v }
}

extension KafkaCompression: ExpressibleByArgument {
    public init?(argument: String) { guard let v = try? KafkaCompression(parsing: argument) else { return nil }; self = v }
}

extension KafkaAcks: ExpressibleByArgument {
    public init?(argument: String) { guard let v = try? KafkaAcks(parsing: argument) else { return nil }; self = v }
}

extension KafkaSASLMechanism: ExpressibleByArgument {
    public init?(argument: String) { guard let v = try? KafkaSASLMechanism(parsing: argument) else { return nil }; self = v }
}

extension ArchiveSSE: ExpressibleByArgument {
    public init?(argument: String) { guard let v = try? ArchiveSSE(parsing: argument) else { return nil }; self = v }
}

extension QueryFormat: ExpressibleByArgument {
    public init?(argument: String) { guard let v = try? QueryFormat(parsing: argument) else { return nil }; self = v }
}

extension ListenAddress: ExpressibleByArgument {
    public init?(argument: String) {
        let parsed = RefusedValues.parse(argument) { text in
            try ListenAddress.parse(text).mapError { OptionValueError(text, "not HOST:PORT (\($0.reason ?? $0.description))") }.get()
        }
        guard let parsed else { return nil }
        self = parsed
    }
}
extension AlertFormat: ExpressibleByArgument {}
extension ColorMode: ExpressibleByArgument {}
extension TrafficProfile: ExpressibleByArgument {}
