import SecStreamCore
import Foundation
import Kafka
import SecStreamPipeline

/// One poll of a run's consumer under the run's retry policy: a retriable
/// failure (a broker restarting, a coordinator moving) backs off and is
/// retried, until failures have gone on for `retryLimitMs`; any other failure
/// ends the run as a remote error naming the topic.
final class KafkaPoller {
    enum Outcome {
        case batches([FetchedRecordBatch])
        /// A retriable failure, backed off from: look at the stop conditions, then poll again.
        case retrying
        /// A stop signal interrupted a rebalance that was going round.
        case interrupted
    }

    /// How long retriable failures may go on (and how long past `--until-idle`
    /// a partition that cannot be read may hold a run open).
    static let retryLimitMs: Int64 = 60_000

    private let consumer: KafkaConsumer
    private let topic: String
    /// When the current run of retriable failures began.
    private var failingSinceMs: Int64?

    init(consumer: KafkaConsumer, topic: String) {
        self.consumer = consumer
        self.topic = topic
    }

    func poll() throws -> Outcome {
        do {
            let batches = try consumer.pollFetched(timeoutMs: 100)
            failingSinceMs = nil
            return .batches(batches)
        } catch let e as KafkaError where e.isRetriable {
            let now = monotonicMs()
            let since = failingSinceMs ?? now
            failingSinceMs = since
            if now - since >= Self.retryLimitMs {
                throw RunError(.remote, "consume \(topic): \(e) (still failing after \(Self.retryLimitMs / 1000)s of retries)")
            }
            usleep(useconds_t(min(1_000, 50 + (now - since) / 4) * 1_000))
            return .retrying
        } catch KafkaError.interrupted {
            return .interrupted
        } catch let e as RunError {
            throw e
        } catch {
            throw RunError(.remote, "consume \(topic): \(error)")
        }
    }
}
