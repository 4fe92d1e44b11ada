/// Where a following source had read every input to when one look found them
/// all at their end: the `caught-up` line of `--ready-file`, written by the
/// pipeline once every line read before that look went through the engine
/// (and the checkpoint hook), and only when the positions changed.
package enum CaughtUpPositions: Equatable {
    /// Bytes read of the file now at each path.
    case files([File])
    /// The next offset to read of every assigned partition.
    case partitions(topic: String, [Partition])

    package struct File: Equatable {
        var path: String
        var offset: Int64
    }

    package struct Partition: Equatable {
        var partition: Int32
        var offset: Int64

        package init(partition: Int32, offset: Int64) {
            self.partition = partition
            self.offset = offset
        }
    }

    /// The fields of the readiness line after `"ready":"caught-up"`.
    var readinessFields: [(String, ReadinessReporter.Value)] {
        switch self {
        case .files(let files):
            return [("files", .objects(files.map { [("path", .string($0.path)), ("offset", .int($0.offset))] }))]
        case .partitions(let topic, let partitions):
            return [("topic", .string(topic)), ("partitions", .objects(partitions.map {
                [("partition", .int(Int64($0.partition))), ("offset", .int($0.offset))]
            }))]
        }
    }
}
