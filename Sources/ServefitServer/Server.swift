import Dispatch
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServefitCore
import ServefitStore
import ServefitHub

public struct ServerConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Reads need a token too (by default they are open).
    public var requireTokenForReads = false
    /// Largest request body accepted; larger ones get 413.
    public var maxBodyBytes = 1 << 20
    public var logLevel: Logger.Level = .info
    public init() {}
}

/// Errors of the HTTP layer itself. Store and Core errors are mapped to statuses in `ErrorMapping`.
public enum ServerError: Error, Equatable, Sendable {
    case badRequest(String)
    case unauthorized(String)
    case forbidden(String)
    case notFound(String)
    case unsupportedMediaType(String)
    case methodNotAllowed(String, allow: String)
}

/// The request context: Hummingbird's core storage plus the caller's token, set by `AuthMiddleware`.
public struct ServefitContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var token: APIToken?
    public init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }
    /// The change log's actor for writes made through this request.
    public var actor: String { token?.name ?? "anonymous" }
}

/// Builds the application: routes over the store, auth, JSON errors, graceful shutdown on
/// SIGINT/SIGTERM (Hummingbird's `runService`).
public func buildApplication(store: CatalogStore, config: ServerConfig,
                             onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
    var logger = Logger(label: "servefit.server")
    logger.logLevel = config.logLevel
    let router = Router(context: ServefitContext.self)
    router.middlewares.add(SecurityHeadersMiddleware())
    router.middlewares.add(ErrorMiddleware(logger: logger))
    router.middlewares.add(RedactingLogMiddleware(level: .info))
    router.middlewares.add(MethodNotAllowedMiddleware())
    router.middlewares.add(AuthMiddleware(store: store, requireTokenForReads: config.requireTokenForReads))
    let api = API(store: store, config: config)
    for route in API.routes {
        router.on(RouterPath(route.hbPath), method: route.method) { request, context in
            if !route.query.isEmpty { try API.only(try API.query(request), route.query) }
            return try await route.handler(api)(request, context)
        }
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "servefit"),
        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? config.port) },
        logger: logger)
}

// MARK: middleware

/// Every error leaves as JSON `{"error": ..., "detail": ...}` with its status.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ServefitContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let (status, kind, detail) = ErrorMapping.map(error)
            if status.code >= 500 { logger.error("\(request.method) \(request.uri.path): \(error)") }
            var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
            if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"servefit\"" }
            if case ServerError.methodNotAllowed(_, let allow) = error { headers[.allow] = allow }
            return API.jsonResponse(ErrorBody(error: kind, detail: detail), status: status, headers: headers)
        }
    }
}

struct ErrorBody: Codable { var error: String; var detail: String }

enum ErrorMapping {
    static func map(_ error: any Error) -> (HTTPResponse.Status, String, String) {
        switch error {
        case let e as ServerError:
            switch e {
            case .badRequest(let m): return (.badRequest, "bad_request", m)
            case .unauthorized(let m): return (.unauthorized, "unauthorized", m)
            case .forbidden(let m): return (.forbidden, "forbidden", m)
            case .notFound(let m): return (.notFound, "not_found", m)
            case .unsupportedMediaType(let m): return (.unsupportedMediaType, "unsupported_media_type", m)
            case .methodNotAllowed(let m, _): return (.methodNotAllowed, "method_not_allowed", m)
            }
        case let e as CoreError:
            return (.badRequest, "bad_request", e.description)
        case let e as StoreError:
            switch e {
            case .notFound: return (.notFound, "not_found", e.description)
            case .duplicate: return (.conflict, "conflict", e.description)
            case .conflict, .serialization: return (.conflict, "conflict", e.description)
            case .unavailable: return (.serviceUnavailable, "database_unavailable", e.description)
            case .inUse: return (.conflict, "in_use", e.description)
            case .invalid: return (.badRequest, "bad_request", e.description)
            case .newerSchema, .unreadable: return (.serviceUnavailable, "storage", e.description)
            }
        case let e as HubError:
            switch e {
            case .notFound, .offline: return (.notFound, "not_found", e.description)
            case .unauthorized: return (.forbidden, "hub_forbidden", e.description)
            case .unreachable, .badResponse: return (.badGateway, "hub", e.description)
            }
        case let e as DecodingError:
            return (.badRequest, "bad_request", "body does not match the schema: " + CatalogDocument.describe(e))
        case is NIOTooManyBytesError:
            return (.contentTooLarge, "too_large", "request body is larger than the server accepts")
        case let e as HTTPError:
            if e.status == .notFound { return (.notFound, "not_found", "no such route") }
            if e.status == .contentTooLarge { return (.contentTooLarge, "too_large", "request body is larger than the server accepts") }
            return (e.status, "http", e.body ?? e.status.reasonPhrase)
        default:
            return (.internalServerError, "internal", "internal error")
        }
    }
}

/// Bearer tokens. Writes need a write (or admin) token, token management an admin token; reads
/// are open unless the server runs with `--require-token-for-reads`. A token that is present but
/// unknown or revoked is refused even where none is needed.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ServefitContext
    let store: CatalogStore
    let requireTokenForReads: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw ServerError.unauthorized("Authorization must be 'Bearer <token>'")
            }
            let secret = String(parts[1]).trimmingCharacters(in: .whitespaces)
            guard let t = try await API.blocking({ try store.authenticate(secret) }) else {
                throw ServerError.unauthorized("unknown or revoked token")
            }
            context.token = t
        }
        let path = request.uri.path
        let needed = API.roleNeeded(method: request.method, path: path, requireTokenForReads: requireTokenForReads)
        if let needed {
            guard let t = context.token else {
                throw ServerError.unauthorized("this request needs a \(needed.rawValue) token (Authorization: Bearer …)")
            }
            guard t.role >= needed else {
                throw ServerError.forbidden("token '\(t.name)' has role \(t.role.rawValue); this request needs \(needed.rawValue)")
            }
        }
        return try await next(request, context)
    }
}
