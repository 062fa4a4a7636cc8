import Foundation
import ServefitCore
import ServefitFiles

public struct HubReader: Sendable {
    public var settings: HubSettings
    public init(settings: HubSettings) { self.settings = settings }

    /// A config.json, index or GGUF/safetensors header larger than these is refused.
    static let maxSmallFile = 10_000_000
    static let firstRange: Int64 = 100_000
    static let maxHeader: Int64 = 100_000_000

    /// Reads the repo a reference names: the cache first (offline, exact), the Hub otherwise.
    /// `all` reads every checkpoint's headers (inspect); else only the one the reference picks.
    /// `useCache: false` asks the Hub even when the cache has the revision (model refresh).
    public func load(_ ref: HubReference, all: Bool = false, slug: String? = nil, useCache: Bool = true) async throws -> HubModel {
        let slug = slug ?? ref.defaultSlug
        if useCache || settings.offline, let cached = try HubCache(dir: settings.cacheDir).load(ref, all: all, slug: slug) { return cached }
        if settings.offline {
            throw HubError.offline("HF_HUB_OFFLINE is set and \(ref) is not in the Hugging Face cache (\(settings.cacheDir)) with its weights' headers")
        }
        let http = HubHTTP(settings: settings)
        do {
            let m = try await remote(ref, all: all, slug: slug, http: http)
            await http.shutdown()
            return m
        } catch {
            await http.shutdown()
            throw error
        }
    }

    func apiURL(_ ref: HubReference, _ tail: String) -> String { "\(settings.endpoint)/api/models/\(ref.repo)\(tail)" }
    func resolveURL(_ repo: String, _ commit: String, _ file: String) -> String {
        "\(settings.endpoint)/\(repo)/resolve/\(commit)/\(HubReference.filePath(file))"
    }

    func remote(_ ref: HubReference, all: Bool, slug: String, http: HubHTTP) async throws -> HubModel {
        let infoAnswer = try await http.get(apiURL(ref, "/revision/\(HubReference.pathSegment(ref.revision))"), cap: HubReader.maxSmallFile, what: "\(ref)'s model info")
        try check(infoAnswer, ref: ref, file: nil)
        let info = try wrap { try HubRepoInfo.parse(infoAnswer.body) }
        guard let commit = info.sha else { throw HubError.badResponse("the Hub's model info for \(ref) has no sha (commit)") }
        // The file listing, page by page (the Hub pages large trees through Link: rel="next").
        var files: [HubFile] = []
        var next: String? = apiURL(ref, "/tree/\(commit)?recursive=true&expand=false")
        var pages = 0
        while let url = next {
            pages += 1
            guard pages <= 100 else { throw HubError.badResponse("the Hub's file listing of \(ref) runs past 100 pages") }
            let a = try await http.get(absolute(url), cap: HubReader.maxSmallFile, what: "\(ref)'s file listing")
            try check(a, ref: ref, file: nil)
            files += try wrap { try HubTree.parse(a.body) }
            next = HubTree.nextLink(a.headers.first(name: "Link"))
        }
        let checkpoints = HubLayout.checkpoints(files)
        let targets = all ? checkpoints : [try wrap { try HubLayout.pick(checkpoints, file: ref.file, repo: ref.repo) }]
        var config: [UInt8]?
        if files.contains(where: { $0.path == "config.json" }) {
            config = try await small(http, ref: ref, commit: commit, file: "config.json")
        }
        var read: [HubModel.Read] = []
        for c in targets {
            var headers: [(file: String, info: HeaderInfo)] = []
            var members = c.files
            if let index = c.index {
                let indexBytes = try await small(http, ref: ref, commit: commit, file: index)
                let (_, map) = try wrap { try SafeTensors.parseIndex(indexBytes) }
                members = try wrap { try HubLayout.shards(of: c, weightMap: map, repo: ref.repo) }
                for f in members { headers.append((f.path, try await header(http, ref: ref, commit: commit, file: f))) }
                try wrap { try SafeTensors.checkIndex(map, headers: headers) }
            } else {
                for f in members { headers.append(((f.path as NSString).lastPathComponent, try await header(http, ref: ref, commit: commit, file: f))) }
            }
            read.append(try wrap { try HubModel.Read(c, members: members, headers: headers, config: config, slug: slug, repo: ref.repo) })
        }
        return HubModel(repo: ref.repo, revision: ref.revision, commit: commit, source: "hub", cachePath: nil, checkpoints: checkpoints,
                        read: read, hasConfig: config != nil, notes: info.gated ? ["\(ref.repo) is gated: read with the token from \(settings.tokenSource ?? "nowhere")"] : [])
    }

    func absolute(_ url: String) -> String {
        url.hasPrefix("http://") || url.hasPrefix("https://") ? url : settings.endpoint + (url.hasPrefix("/") ? "" : "/") + url
    }

    func small(_ http: HubHTTP, ref: HubReference, commit: String, file: String) async throws -> [UInt8] {
        let a = try await http.get(resolveURL(ref.repo, commit, file), cap: HubReader.maxSmallFile, what: "\(ref.repo)/\(file)")
        try check(a, ref: ref, file: file)
        return a.body
    }

    /// A weights file's header through Range requests: the first 100 kB (as huggingface_hub's
    /// get_safetensors_metadata asks), then exactly what the header says it needs; GGUF headers
    /// (metadata and tensor infos, of unknown length: a 150k-token vocabulary is several MB)
    /// from 32 KiB, each further request four times longer, up to 100 MB.
    func header(_ http: HubHTTP, ref: HubReference, commit: String, file: HubFile) async throws -> HeaderInfo {
        let url = resolveURL(ref.repo, commit, file.path)
        let what = "\(ref.repo)/\(file.path)"
        var prefix: [UInt8] = []
        let gguf = file.path.lowercased().hasSuffix(".gguf")
        var want = min(gguf ? 1 << 15 : HubReader.firstRange, file.size)
        guard file.size >= 8 else { throw HubError.badResponse("\(what) is \(file.size) bytes: too small to be a weights file") }
        while true {
            if Int64(prefix.count) < want {
                let range = Int64(prefix.count)...(want - 1)
                let a = try await http.get(url, range: range, cap: Int(range.count), what: what)
                try check(a, ref: ref, file: file.path)
                if a.status == 206, let cr = a.headers.first(name: "Content-Range") {
                    let total = cr.split(separator: "/").last.flatMap { Int64($0) }
                    let start = cr.split(separator: " ").last?.split(separator: "-").first.flatMap { Int64($0) }
                    guard start == range.lowerBound else { throw HubError.badResponse("\(what): asked for bytes \(range.lowerBound)-, got '\(cr.prefix(80))'") }
                    if let total, total != file.size {
                        throw HubError.badResponse("\(what) is \(total) bytes by its Content-Range, \(file.size) by the file listing")
                    }
                } else if a.status == 200 {
                    // A server that ignores Range may answer a small file whole; only from offset 0.
                    guard range.lowerBound == 0, Int64(a.body.count) == file.size else {
                        throw HubError.badResponse("\(what): the server ignored the Range request; servefit does not download weights")
                    }
                }
                guard Int64(a.body.count) == Int64(range.count) || (a.status == 200 && Int64(a.body.count) == file.size) else {
                    throw HubError.badResponse("\(what): asked for \(range.count) bytes, got \(a.body.count)")
                }
                prefix += a.status == 200 ? Array(a.body[prefix.count...]) : a.body
            }
            var r = PrefixReader(prefix, size: file.size)
            do {
                return try WeightHeaders.read(&r, first4: Array(prefix.prefix(4)), name: file.path)
            } catch let more as PrefixReader.NeedMore {
                let next = gguf ? max(more.bytes, Int64(prefix.count) * 4) : more.bytes
                guard next <= HubReader.maxHeader + 8 else {
                    throw HubError.badResponse("\(what): its header runs past \(HubReader.maxHeader) bytes; refused")
                }
                want = min(next, file.size)
            } catch let e as CoreError {
                throw HubError.badResponse("\(what): \(e.description)")
            }
        }
    }

    func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as CoreError {
            switch e {
            case .unknownName, .badOption: throw e
            default: throw HubError.badResponse(e.description)
            }
        }
    }

    /// Maps the Hub's error answers to what a user can do about them.
    func check(_ a: HubHTTP.Answer, ref: HubReference, file: String?) throws {
        guard !(200...299).contains(a.status) else { return }
        let code = a.headers.first(name: "X-Error-Code") ?? ""
        let message = a.headers.first(name: "X-Error-Message").map { ": " + String($0.prefix(200)) } ?? ""
        let page = settings.endpoint + "/" + ref.repo
        switch (a.status, code) {
        case (_, "GatedRepo"):
            throw HubError.unauthorized(settings.token == nil
                ? "\(ref.repo) is gated: accept its licence at \(page) and set HF_TOKEN (or run `hf auth login`)"
                : "\(ref.repo) is gated and the token from \(settings.tokenSource ?? "HF_TOKEN") has not been granted access: accept its licence at \(page)")
        case (_, "RevisionNotFound"):
            throw HubError.notFound("\(ref.repo) has no revision '\(ref.revision)'\(message)")
        case (_, "RepoNotFound"):
            // The Hub answers 401 for a repo that is missing or private, so as not to tell them apart.
            throw HubError.notFound("no model \(ref.repo) on \(settings.endpoint)" + (settings.token == nil ? ", or it is private (set HF_TOKEN)" : ""))
        case (_, "EntryNotFound"):
            throw HubError.notFound("\(ref.repo)@\(ref.revision) has no file \(file ?? "?")")
        case (401, _), (403, _):
            throw HubError.unauthorized(settings.token == nil
                ? "\(ref.repo): no such model on \(settings.endpoint), or it is private or gated (set HF_TOKEN)\(message)"
                : "\(ref.repo): the token from \(settings.tokenSource ?? "HF_TOKEN") cannot read it (HTTP \(a.status))\(message)")
        case (404, _):
            throw file == nil ? HubError.notFound("no model \(ref.repo) on \(settings.endpoint)\(message)")
                              : HubError.notFound("\(ref.repo)@\(ref.revision) has no file \(file!)")
        case (416, _):
            throw HubError.badResponse("\(ref.repo)/\(file ?? ""): the server refused the byte range (416)")
        default:
            throw HubError.badResponse("\(settings.endpoint) answered HTTP \(a.status) for \(ref.repo)\(file.map { "/" + $0 } ?? "")\(message)")
        }
    }
}
