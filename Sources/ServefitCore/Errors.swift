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
            return "unknown \(kind) '\(name)' (known: \(known.joined(separator: ", ")))"
        }
    }
}
