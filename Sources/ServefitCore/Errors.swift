/// Errors raised by the pure domain layer. Each carries a one-line, user-facing message.
public enum CoreError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The input is malformed or out of range (bad data).
    case invalidInput(String)
    /// An architecture is inconsistent (heads that do not divide, zero layers, ...).
    case invalidArchitecture(String)
    /// A model family the estimator does not know; refused by name rather than guessed.
    case unsupportedFamily(String)
    /// A weight format, KV dtype or engine name that is not recognised.
    case unknownName(kind: String, name: String, known: [String])
    /// An option of a query is missing, unknown or unreadable (a usage error).
    case badOption(String)

    public var description: String {
        switch self {
        case .invalidInput(let m): return m
        case .badOption(let m): return m
        case .invalidArchitecture(let m): return "invalid architecture: \(m)"
        case .unsupportedFamily(let t):
            return "model family '\(t)' is not supported by the estimator (supported: \(ParamCounter.supportedFamilies.sorted().joined(separator: ", ")))"
        case .unknownName(let kind, let name, let known):
            let near = Suggest.closest(name, in: known)
            return "unknown \(kind) '\(name.prefix(100))'" + (near.isEmpty || near == known ? "" : " (did you mean \(near.joined(separator: ", "))?)")
                + " (known: \(known.joined(separator: ", ")))"
        }
    }
}

/// The documented maximum of every string and list stored or read (README, "Limits"). A value
/// past its limit is refused with the field named, so listings stay proportional to the catalog.
public enum Limits {
    /// Names, providers, instances, licences, owners, Hugging Face repo ids.
    public static let name = 200
    /// model_type, hidden_act, tags, layer types, regions, architectures' entries.
    public static let word = 64
    public static let source = 2000
    public static let notes = 4000
    public static let tags = 64
    public static let architectures = 16
    /// Options of a saved scenario: how many, and the length of each value.
    public static let options = 64
    public static let optionValue = 1000
    /// A catalog document for `import`, and a file such as config.json.
    public static let documentBytes = 64 << 20
    public static let configBytes = 16 << 20

    /// A single-line text field: at most `max` bytes of UTF-8, no control characters.
    public static func line(_ owner: String, _ field: String, _ value: String?, _ max: Int) throws {
        guard let value else { return }
        if value.utf8.count > max { throw CoreError.invalidInput("\(owner): \(field) is longer than \(max) bytes (\(value.utf8.count))") }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw CoreError.invalidInput("\(owner): \(field) must be one line without control characters")
        }
    }

    /// Free text (notes, sources): newlines and tabs allowed, other control characters not.
    public static func text(_ owner: String, _ field: String, _ value: String?, _ max: Int) throws {
        guard let value else { return }
        if value.utf8.count > max { throw CoreError.invalidInput("\(owner): \(field) is longer than \(max) bytes (\(value.utf8.count))") }
        if value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0.value != 0x0A && $0.value != 0x09) || $0.value == 0x7F }) {
            throw CoreError.invalidInput("\(owner): \(field) contains control characters")
        }
    }

    /// A list of short words: at most `count` entries of at most `max` bytes each.
    public static func words(_ owner: String, _ field: String, _ values: [String]?, count: Int, _ max: Int = word) throws {
        guard let values else { return }
        if values.count > count { throw CoreError.invalidInput("\(owner): \(field) has \(values.count) entries (limit \(count))") }
        for v in values { try line(owner, field, v, max) }
    }
}
