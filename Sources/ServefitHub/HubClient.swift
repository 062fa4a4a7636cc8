import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServefitCore

/// What can go wrong reading the Hub. Each is one line a user can act on.
public enum HubError: Error, CustomStringConvertible, Sendable {
    /// No such repo, revision or file (or a private repo without a token): exit 66, HTTP 404.
    case notFound(String)
    /// Gated or private and the token does not open it: exit 66, HTTP 403.
    case unauthorized(String)
    /// HF_HUB_OFFLINE and not in the cache: exit 66, HTTP 404.
    case offline(String)
    /// The Hub could not be reached, timed out or kept answering 429/5xx: exit 66, HTTP 502.
    case unreachable(String)
    /// The Hub (or what answers in its place) sent something servefit will not read: exit 65, HTTP 502.
    case badResponse(String)

    public var description: String {
        switch self {
        case .notFound(let m), .unauthorized(let m), .offline(let m), .unreachable(let m), .badResponse(let m): return m
        }
    }
}

/// A small client over AsyncHTTPClient for the Hub's metadata calls and header-only Range reads.
/// Every body it reads is capped; a Range answered with a whole weights file is refused, never
/// downloaded.
final class HubHTTP: Sendable {
    let settings: HubSettings
    let client: HTTPClient
    let userAgent = "servefit (+https://github.com/servefit; hub-compatible)"

    init(settings: HubSettings) {
        self.settings = settings
        var config = HTTPClient.Configuration(
            redirectConfiguration: .follow(max: 5, allowCycles: false),
            timeout: .init(connect: .milliseconds(Int64(settings.connectTimeout * 1000)), read: .milliseconds(Int64(settings.readTimeout * 1000))))
        if let p = settings.proxy { config.proxy = .server(host: p.host, port: p.port) }
        config.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    func shutdown() async { try? await client.shutdown() }

    struct Answer {
        var status: UInt
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// GET `url` and read at most `cap` bytes of body. `what` names the thing for messages.
    /// 429 and 5xx are retried (429 after `Retry-After`); other statuses are the caller's.
    func get(_ url: String, range: ClosedRange<Int64>? = nil, cap: Int, what: String) async throws -> Answer {
        var attempt = 0
        while true {
            var req = HTTPClientRequest(url: url)
            req.method = .GET
            req.headers.add(name: "User-Agent", value: userAgent)
            req.headers.add(name: "Accept-Encoding", value: "identity")
            if let t = settings.token { req.headers.add(name: "Authorization", value: "Bearer \(t)") }
            if let r = range { req.headers.add(name: "Range", value: "bytes=\(r.lowerBound)-\(r.upperBound)") }
            let response: HTTPClientResponse
            do {
                response = try await client.execute(req, timeout: .milliseconds(Int64(settings.requestTimeout * 1000)))
            } catch {
                throw HubError.unreachable("cannot reach \(settings.endpoint) for \(what): \(Self.describe(error))")
            }
            let status = response.status.code
            if status == 429 || (500...599).contains(status), attempt < settings.maxRetries {
                attempt += 1
                let wait = status == 429 ? Self.retryAfter(response.headers.first(name: "Retry-After")) ?? Double(attempt) : Double(attempt)
                guard wait <= settings.maxRetryWait else {
                    throw HubError.unreachable("\(settings.endpoint) asks to wait \(Int(wait)) s before \(what) (Retry-After); try again later")
                }
                try? await Task.sleep(nanoseconds: UInt64(max(0, wait) * 1e9))
                continue
            }
            if status == 429 { throw HubError.unreachable("\(settings.endpoint) kept answering 429 Too Many Requests for \(what); try again later or set HF_TOKEN") }
            if (500...599).contains(status) { throw HubError.unreachable("\(settings.endpoint) answered \(status) for \(what) \(attempt + 1) times") }
            // Only bodies of answers a caller reads are collected; error bodies are small JSON.
            let limit = (200...299).contains(status) ? cap : 65_536
            if let len = response.headers.first(name: "Content-Length").flatMap({ Int64($0) }) {
                if status == 200, let r = range, len > Int64(r.count) {
                    throw HubError.badResponse("\(settings.endpoint) answered a Range request for \(what) with the whole file (\(len) bytes); "
                                               + "servefit reads headers only and does not download weights")
                }
                if len > Int64(limit) {
                    throw HubError.badResponse("\(what) is \(len) bytes (Content-Length); servefit reads at most \(limit)")
                }
            }
            var body: [UInt8] = []
            do {
                for try await chunk in response.body {
                    if body.count + chunk.readableBytes > limit {
                        if status == 200, range != nil {
                            throw HubError.badResponse("\(settings.endpoint) answered a Range request for \(what) with more than the \(limit) bytes asked; "
                                                       + "servefit reads headers only and does not download weights")
                        }
                        throw HubError.badResponse("\(what) is larger than \(limit) bytes; servefit reads at most that")
                    }
                    body += chunk.readableBytesView
                }
            } catch let e as HubError {
                throw e
            } catch {
                throw HubError.unreachable("reading \(what) from \(settings.endpoint) failed: \(Self.describe(error))")
            }
            return Answer(status: status, headers: response.headers, body: body)
        }
    }

    /// `Retry-After` as seconds or an HTTP date.
    static func retryAfter(_ v: String?) -> Double? {
        guard let v = v?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        if let s = Double(v), s.isFinite, s >= 0 { return s }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: v).map { max(0, $0.timeIntervalSinceNow) }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .readTimeout: return "no data for the read time-out (HF_HUB_DOWNLOAD_TIMEOUT)"
            case .connectTimeout: return "connection timed out (HF_HUB_ETAG_TIMEOUT)"
            case .deadlineExceeded: return "the request took too long"
            case .redirectLimitReached: return "too many redirects"
            case .redirectCycleDetected: return "a redirect cycle"
            default: return String(describing: e)
            }
        }
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
