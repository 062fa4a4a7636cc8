import Foundation
import Hummingbird
import Logging
import ServefitStore

/// Headers every response carries, errors included: no MIME sniffing, no framing, and a
/// Content-Security-Policy that fits the self-contained page (its script and style come from
/// /assets, the chart is built with DOM calls, the API is same-origin).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = ServefitContext
    static let csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        Self.apply(&response.headers)
        return response
    }

    // Literal, valid field names: these initialisers cannot fail.
    static let frameOptions = HTTPFields.Element.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy")!

    static func apply(_ h: inout HTTPFields) {
        h[.xContentTypeOptions] = "nosniff"
        h[frameOptions] = "DENY"
        h[.contentSecurityPolicy] = csp
        h[referrerPolicy] = "no-referrer"
        h[.cacheControl] = h[.cacheControl] ?? "no-store"
    }
}

/// A path that exists but not for this method is 405 with an Allow header (RFC 9110 §15.5.6),
/// not 404; the routes' own table says which methods each path has.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = ServefitContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let allowed = Self.methods(for: request.uri.path)
        if !allowed.isEmpty {
            let m = request.method
            let ok = allowed.contains(m) || (m == .head && allowed.contains(.get))
            if !ok {
                var names = allowed.map(\.rawValue)
                if allowed.contains(.get) { names.append("HEAD") }
                throw ServerError.methodNotAllowed("\(m.rawValue) is not allowed on \(request.uri.path) (allowed: \(names.joined(separator: ", ")))",
                                                   allow: names.joined(separator: ", "))
            }
        }
        return try await next(request, context)
    }

    /// Methods of the routes whose pattern matches `path` (a `{name}` segment matches any one segment).
    /// Each route's path split into segments, once.
    static let patterns: [(segments: [Substring], method: HTTPRequest.Method)] =
        API.routes.map { ($0.path.split(separator: "/", omittingEmptySubsequences: false), $0.method) }

    /// A literal segment beats a `{name}` one, as in the router: /v1/models/import is its own
    /// resource (POST), not /v1/models/{slug} (GET, PUT, DELETE).
    static func methods(for path: String) -> [HTTPRequest.Method] {
        let segs = path.split(separator: "/", omittingEmptySubsequences: false)
        var out: [HTTPRequest.Method] = []
        var best = -1
        for (pat, method) in patterns {
            guard pat.count == segs.count else { continue }
            guard zip(pat, segs).allSatisfy({ p, s in p == s || (p.hasPrefix("{") && !s.isEmpty) }) else { continue }
            let literals = pat.filter { !$0.hasPrefix("{") }.count
            if literals > best { best = literals; out = [] }
            if literals == best, !out.contains(method) { out.append(method) }
        }
        return out
    }
}

/// One log line per request. Query values are written only for parameters the API defines and
/// never when they look like a token, so a secret pasted into a URL does not reach the log.
struct RedactingLogMiddleware: RouterMiddleware {
    typealias Context = ServefitContext
    let level: Logger.Level

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let q = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        context.logger.log(level: level, "\(request.method) \(Self.redacted(path: request.uri.path, query: q))")
        return try await next(request, context)
    }

    static let sensitiveNames: Set<String> = ["token", "access_token", "access-token", "api_key", "api-key", "apikey", "key",
                                              "secret", "password", "auth", "authorization", "bearer"]

    /// Every query parameter some route defines, computed once.
    static let knownParameters = Set(API.routes.flatMap(\.query))

    static func redacted(path: String, query params: [(String, String)]) -> String {
        guard !params.isEmpty else { return path }
        let parts = params.map { k, v -> String in
            let name = String(k).lowercased()
            let value = String(v)
            let hide = sensitiveNames.contains(name) || !knownParameters.contains(name.replacingOccurrences(of: "_", with: "-"))
                || value.contains(CatalogStore.tokenPrefix)
            return "\(String(k).prefix(64))=\(hide ? "REDACTED" : String(value.prefix(200)))"
        }
        return path + "?" + parts.joined(separator: "&")
    }
}


/// The request's media type, exactly: `application/json` with optional parameters, compared
/// case-insensitively (RFC 9110 §8.3.1); `application/jsonx` is not JSON.
enum MediaType {
    static func isText(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return type.trimmingCharacters(in: .whitespaces).lowercased() == "text/plain"
    }
    static func isJSON(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return type.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}
