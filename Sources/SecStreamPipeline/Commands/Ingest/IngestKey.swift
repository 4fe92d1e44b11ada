import Foundation
import SecStreamCore

/// The record key of an ingested line: the value of one field, found by the
/// byte scanner (no Foundation JSON per line). A string keys by its unescaped
/// UTF-8 bytes, as a Java producer keyed by that string would; any other value
/// by its JSON text. A line without the field is sent without a key.
struct IngestKey {
    private let field: FieldID
    private var unescaped: [UInt8] = []

    init(field: FieldID) { self.field = field }

    /// Calls `body` with the key bytes of `event` (nil when the field is missing or null).
    mutating func withKey<R>(of event: EventView, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        let slot = event.slot(field)
        switch slot.kind {
        case .missing, .null:
            return try body(nil)
        case .escapedString:
            // Rare (keys are addresses and names): decode through Foundation off the fast path.
            let quoted = Data([0x22]) + Data(event.raw(field)) + Data([0x22])
            let text = (try? JSONSerialization.jsonObject(with: quoted, options: .fragmentsAllowed)) as? String
            unescaped = Array((text ?? "").utf8)
            return try unescaped.withUnsafeBytes { try body($0) }
        default:
            return try body(event.raw(field))
        }
    }
}
