import Foundation
import ServefitCore

/// Where and how to reach the Hub, read from the same environment `huggingface_hub` reads.
public struct HubSettings: Sendable {
    /// `HF_ENDPOINT` (mirrors and proxies), default https://huggingface.co, no trailing slash.
    public var endpoint: String
    public var token: String?
    /// Where the token came from (`HF_TOKEN`, or the token file's path), for messages.
    public var tokenSource: String?
    /// `HF_HUB_OFFLINE=1`: the local cache only, no network.
    public var offline: Bool
    /// `HF_HUB_CACHE`, else `$HF_HOME/hub`, else ~/.cache/huggingface/hub.
    public var cacheDir: String
    /// `HTTPS_PROXY` (or `HTTP_PROXY` for an http endpoint), unless `NO_PROXY` names the host.
    public var proxy: (host: String, port: Int)?
    /// `HF_HUB_ETAG_TIMEOUT`: connecting and metadata calls; `HF_HUB_DOWNLOAD_TIMEOUT`: a read
    /// that stalls this long fails. Seconds, default 10 each (huggingface_hub's defaults).
    public var connectTimeout: Double
    public var readTimeout: Double
    /// A whole request (headers and the bounded body) never takes longer than this.
    public var requestTimeout: Double
    /// 429 answers are retried this many times, waiting what `Retry-After` says (capped).
    public var maxRetries = 3
    public var maxRetryWait: Double = 60

    public init(endpoint: String = "https://huggingface.co", token: String? = nil, offline: Bool = false, cacheDir: String,
                connectTimeout: Double = 10, readTimeout: Double = 10, requestTimeout: Double = 120) {
        self.endpoint = endpoint; self.token = token; self.offline = offline; self.cacheDir = cacheDir
        self.connectTimeout = connectTimeout; self.readTimeout = readTimeout; self.requestTimeout = requestTimeout
    }

    static func truthy(_ v: String?) -> Bool {
        guard let v = v?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
        return ["1", "on", "yes", "true"].contains(v)
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> HubSettings {
        func value(_ k: String) -> String? { env[k].flatMap { $0.isEmpty ? nil : $0 } }
        let home = value("HOME") ?? NSHomeDirectory()
        let hfHome = value("HF_HOME") ?? ((value("XDG_CACHE_HOME") ?? home + "/.cache") + "/huggingface")
        let cache = value("HF_HUB_CACHE") ?? value("HUGGINGFACE_HUB_CACHE") ?? hfHome + "/hub"
        var endpoint = value("HF_ENDPOINT") ?? "https://huggingface.co"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw CoreError.badOption("HF_ENDPOINT '\(endpoint.prefix(200))' is not an http(s) URL")
        }
        func seconds(_ k: String, _ d: Double) throws -> Double {
            guard let t = value(k) else { return d }
            guard let x = Numbers.decimal(t), x > 0, x <= 3600 else { throw CoreError.badOption("\(k) must be seconds between 0 and 3600 (got '\(t.prefix(40))')") }
            return x
        }
        var s = HubSettings(endpoint: endpoint, offline: truthy(value("HF_HUB_OFFLINE")), cacheDir: cache,
                            connectTimeout: try seconds("HF_HUB_ETAG_TIMEOUT", 10), readTimeout: try seconds("HF_HUB_DOWNLOAD_TIMEOUT", 10))
        if let t = value("HF_TOKEN") ?? value("HUGGING_FACE_HUB_TOKEN") {
            s.token = t.trimmingCharacters(in: .whitespacesAndNewlines)
            s.tokenSource = env["HF_TOKEN"] != nil ? "HF_TOKEN" : "HUGGING_FACE_HUB_TOKEN"
        } else {
            let path = value("HF_TOKEN_PATH") ?? hfHome + "/token"
            if let d = FileManager.default.contents(atPath: path), d.count < 4096 {
                let t = String(decoding: d, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if !t.isEmpty { s.token = t; s.tokenSource = path }
            }
        }
        if let t = s.token, t.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value > 0x7E }) {
            throw CoreError.badOption("the Hugging Face token from \(s.tokenSource ?? "the environment") has spaces or control characters")
        }
        s.proxy = try proxy(for: url, env: env)
        return s
    }

    /// The proxy for this endpoint: HTTPS_PROXY/https_proxy for https, HTTP_PROXY/http_proxy for
    /// http, skipped when NO_PROXY lists the host (or a suffix of it, or '*').
    static func proxy(for url: URL, env: [String: String]) throws -> (host: String, port: Int)? {
        func value(_ k: String) -> String? { (env[k] ?? env[k.lowercased()]).flatMap { $0.isEmpty ? nil : $0 } }
        let host = url.host?.lowercased() ?? ""
        let noProxy = (value("NO_PROXY") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for n in noProxy where !n.isEmpty {
            let bare = n.hasPrefix(".") ? String(n.dropFirst()) : n
            if n == "*" || host == bare || host.hasSuffix("." + bare) { return nil }
        }
        guard let raw = value(url.scheme?.lowercased() == "https" ? "HTTPS_PROXY" : "HTTP_PROXY") else { return nil }
        let withScheme = raw.contains("://") ? raw : "http://" + raw
        guard let p = URL(string: withScheme), let h = p.host else { throw CoreError.badOption("proxy '\(raw.prefix(200))' is not host:port or a URL") }
        return (h, p.port ?? (p.scheme == "https" ? 443 : 80))
    }
}
