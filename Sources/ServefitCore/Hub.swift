import Foundation

/// A model on the Hugging Face Hub as a user names it: `hf:ORG/NAME`, optionally `@REVISION`
/// (branch, tag or commit) and, for GGUF repos, `:QUANT` as llama.cpp's `-hf` takes it
/// (`hf:Qwen/Qwen2.5-7B-Instruct-GGUF:Q4_K_M`). Repo ids and git refs cannot hold ':' or '@',
/// so the two suffixes are unambiguous in either order.
public struct HubReference: Sendable, Equatable, CustomStringConvertible {
    public var repo: String
    public var revision: String
    /// A GGUF quantisation (Q4_K_M) or a file name inside the repo, to pick one checkpoint.
    public var file: String?
    public var revisionGiven: Bool

    public init(repo: String, revision: String? = nil, file: String? = nil) throws {
        try HubReference.checkRepo(repo)
        if let revision { try HubReference.checkRevision(revision) }
        if let file { try Limits.line("hf reference", "file", file, Limits.name) }
        self.repo = repo
        self.revision = revision ?? "main"
        self.file = file?.isEmpty == true ? nil : file
        self.revisionGiven = revision != nil
    }

    public var description: String {
        "hf:" + repo + (revisionGiven ? "@" + revision : "") + (file.map { ":" + $0 } ?? "")
    }

    /// `hf:ORG/NAME[@REV][:QUANT]`; nil when the text does not start with `hf:` (or
    /// `hf.co/`, `https://huggingface.co/`, which users paste from the browser).
    public static func parse(_ text: String) throws -> HubReference? {
        var s = text.trimmingCharacters(in: .whitespaces)
        var matched = false
        for prefix in ["hf:", "hf.co/", "https://huggingface.co/", "huggingface.co/"] where s.lowercased().hasPrefix(prefix) {
            s = String(s.dropFirst(prefix.count))
            matched = true
            break
        }
        guard matched else { return nil }
        return try parseBare(s)
    }

    /// `ORG/NAME[@REV][:QUANT]` without a prefix (for `--from-hub`).
    public static func parseBare(_ text: String) throws -> HubReference {
        var s = Substring(text)
        var file: String?, revision: String?
        if let colon = s.lastIndex(of: ":") {
            let tail = s[s.index(after: colon)...]
            if let at = tail.firstIndex(of: "@") {  // hf:org/name:Q4_K_M@rev
                file = String(tail[..<at]); revision = String(tail[tail.index(after: at)...])
            } else {
                file = String(tail)
            }
            s = s[..<colon]
        }
        if let at = s.firstIndex(of: "@") {
            guard revision == nil else { throw CoreError.badOption("hf reference '\(text)' names two revisions") }
            revision = String(s[s.index(after: at)...])
            s = s[..<at]
        }
        if revision?.isEmpty == true { throw CoreError.badOption("hf reference '\(text)' has an empty revision after '@'") }
        return try HubReference(repo: String(s), revision: revision, file: file)
    }

    /// The Hub's own rule for repo ids: one or two names of letters, digits, '-', '_', '.',
    /// at most 96 characters, no '--' or '..', not starting or ending with '-' or '.'.
    public static func checkRepo(_ repo: String) throws {
        let parts = repo.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        func bad(_ why: String) -> CoreError { .badOption("'\(repo.prefix(120))' is not a Hugging Face repo id (\(why)); write ORG/NAME, e.g. Qwen/Qwen3-8B") }
        guard (1...2).contains(parts.count) else { throw bad("one '/' between the owner and the name") }
        guard repo.utf8.count <= 96 else { throw bad("longer than 96 characters") }
        for p in parts {
            guard !p.isEmpty else { throw bad("an empty part") }
            guard p.unicodeScalars.allSatisfy({ allowed.contains($0) }) else { throw bad("only letters, digits, '-', '_' and '.'") }
            guard !p.contains("--"), !p.contains("..") else { throw bad("'--' and '..' are not allowed") }
            guard let f = p.first, let l = p.last, f != "-", f != ".", l != "-", l != "." else { throw bad("a part starts or ends with '-' or '.'") }
        }
    }

    /// A git ref or commit: no spaces, control characters, '..', ':' or '\\', at most 200 bytes.
    public static func checkRevision(_ rev: String) throws {
        try Limits.line("hf reference", "revision", rev, Limits.name)
        guard !rev.isEmpty, !rev.contains(".."), !rev.contains(" "), !rev.contains(":"), !rev.contains("\\"),
              !rev.hasPrefix("/"), !rev.hasSuffix("/") else {
            throw CoreError.badOption("revision '\(rev)' is not a branch, tag or commit")
        }
    }

    /// True for a full 40-hex commit id.
    public static func isCommit(_ s: String) -> Bool {
        s.utf8.count == 40 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The slug a Hub model takes in the catalog by default: its name, lower-cased.
    public var defaultSlug: String { (repo.split(separator: "/").last.map(String.init) ?? repo).lowercased() }

    /// The revision as one URL path segment (`refs/pr/1` → `refs%2Fpr%2F1`), as huggingface_hub quotes it.
    public static func pathSegment(_ s: String) -> String {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")
        return s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? s
    }

    /// A file path inside a repo, each segment percent-encoded, the slashes kept.
    public static func filePath(_ s: String) -> String {
        s.split(separator: "/", omittingEmptySubsequences: false).map { pathSegment(String($0)) }.joined(separator: "/")
    }
}

/// One file of a repo as `/api/models/{repo}/tree/{rev}` lists it.
public struct HubFile: Sendable, Equatable, Codable {
    public var path: String
    public var size: Int64
    /// Large files live in LFS (or Xet) storage: `resolve` redirects them to the CDN.
    public var lfs: Bool
    public init(path: String, size: Int64, lfs: Bool) { self.path = path; self.size = size; self.lfs = lfs }
}

/// What the Hub says about a repo: the commit a revision resolves to, gating, the files.
public struct HubRepoInfo: Sendable, Equatable {
    public var id: String
    public var sha: String?
    public var gated: Bool
    public var isPrivate: Bool
    public var siblings: [String]

    /// `GET /api/models/{repo}[/revision/{rev}]`.
    public static func parse(_ bytes: [UInt8]) throws -> HubRepoInfo {
        let j = try StrictJSON.parse(bytes)
        guard j.pairs != nil else { throw CoreError.invalidInput("the Hub's model info is not a JSON object") }
        let gated: Bool
        switch j["gated"] {
        case .some(.string(let s)): gated = s != "false" && !s.isEmpty
        case .some(.bool(let b)): gated = b
        default: gated = false
        }
        var isPrivate = false
        if case .some(.bool(let b)) = j["private"] { isPrivate = b }
        let siblings = (j["siblings"]?.array ?? []).compactMap { $0["rfilename"]?.string }
        let sha = j["sha"]?.string
        if let sha, !HubReference.isCommit(sha) { throw CoreError.invalidInput("the Hub's model info has sha '\(sha.prefix(60))', not a 40-hex commit") }
        return HubRepoInfo(id: j["id"]?.string ?? j["modelId"]?.string ?? "", sha: sha, gated: gated, isPrivate: isPrivate, siblings: siblings)
    }
}

public enum HubTree {
    /// At most this many files in a listing (the largest repos hold a few thousand).
    public static let maxFiles = 100_000

    /// `GET /api/models/{repo}/tree/{rev}?recursive=true`: a JSON array of
    /// `{"type": "file"|"directory", "path", "size", "oid", "lfs": {"oid", "size", "pointerSize"}}`.
    public static func parse(_ bytes: [UInt8]) throws -> [HubFile] {
        let j = try StrictJSON.parse(bytes)
        guard let entries = j.array else { throw CoreError.invalidInput("the Hub's file listing is not a JSON array") }
        guard entries.count <= maxFiles else { throw CoreError.invalidInput("the Hub's file listing has \(entries.count) entries (limit \(maxFiles))") }
        var out: [HubFile] = []
        for e in entries {
            guard e["type"]?.string == "file" else { continue }
            guard let path = e["path"]?.string, !path.isEmpty, !path.hasPrefix("/"),
                  !path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
                throw CoreError.invalidInput("the Hub's file listing has an entry without a plain relative path")
            }
            let lfsSize = e["lfs"]?["size"]?.int64
            guard let size = lfsSize ?? e["size"]?.int64, size >= 0 else {
                throw CoreError.invalidInput("the Hub's file listing gives \(path) no size")
            }
            out.append(HubFile(path: path, size: size, lfs: e["lfs"] != nil))
        }
        return out
    }

    /// The `next` link of a paginated listing (`Link: <url>; rel="next"`).
    public static func nextLink(_ header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ",") {
            let p = part.trimmingCharacters(in: .whitespaces)
            guard p.contains("rel=\"next\""), let lt = p.firstIndex(of: "<"), let gt = p.firstIndex(of: ">"), lt < gt else { continue }
            return String(p[p.index(after: lt)..<gt])
        }
        return nil
    }
}

/// The checkpoints a repo's file list holds: a safetensors set (sharded through its index or a
/// single file) and/or GGUF files, multi-part GGUF (`-00001-of-00003.gguf`) taken together.
public struct HubCheckpoint: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case safetensors, gguf }
    public var kind: Kind
    /// What a user picks it by: the GGUF quantisation read from the name (Q4_K_M), or the file name.
    public var name: String
    public var files: [HubFile]
    /// Folder inside the repo (GGUF repos sometimes keep each quantisation in its own folder).
    public var index: String?
    public var bytes: Int64 { files.reduce(0) { $0 + $1.size } }
    public init(kind: Kind, name: String, files: [HubFile], index: String?) {
        self.kind = kind; self.name = name; self.files = files; self.index = index
    }
}

public enum HubLayout {
    /// A weights file by its name: .safetensors, or .gguf in any case.
    public static func isWeights(_ path: String) -> Bool { path.hasSuffix(".safetensors") || path.lowercased().hasSuffix(".gguf") }

    /// The shards a sharded checkpoint's index names; every one must be in the listing.
    public static func shards(of c: HubCheckpoint, weightMap: [String: String], repo: String) throws -> [HubFile] {
        let names = Set(weightMap.values)
        for n in names.sorted() where !c.files.contains(where: { $0.path == n }) {
            throw CoreError.invalidInput("hf:\(repo): model.safetensors.index.json names \(n), which the repo does not hold")
        }
        return c.files.filter { names.contains($0.path) }
    }

    /// Checkpoints in a repo's listing. The safetensors set is the top-level one; GGUF files are
    /// grouped by split set. mmproj (vision projector) files are not checkpoints of the model.
    public static func checkpoints(_ files: [HubFile]) -> [HubCheckpoint] {
        var out: [HubCheckpoint] = []
        let top = files.filter { !$0.path.contains("/") }
        if let idx = top.first(where: { $0.path == "model.safetensors.index.json" }) {
            out.append(HubCheckpoint(kind: .safetensors, name: "safetensors", files: top.filter { $0.path.hasSuffix(".safetensors") }, index: idx.path))
        } else {
            let st = top.filter { $0.path.hasSuffix(".safetensors") }
            if st.count == 1 { out.append(HubCheckpoint(kind: .safetensors, name: "safetensors", files: st, index: nil)) }
            else if let m = st.first(where: { $0.path == "model.safetensors" }) {
                out.append(HubCheckpoint(kind: .safetensors, name: "safetensors", files: [m], index: nil))
            }
        }
        var groups: [String: [HubFile]] = [:]
        for f in files where f.path.lowercased().hasSuffix(".gguf") {
            let base = (f.path as NSString).lastPathComponent.lowercased()
            if base.hasPrefix("mmproj") || base.contains("-mmproj") || base.contains(".mmproj") { continue }
            groups[splitKey(f.path), default: []].append(f)
        }
        var ggufs: [HubCheckpoint] = []
        for (key, fs) in groups {
            ggufs.append(HubCheckpoint(kind: .gguf, name: quantName(key) ?? (key as NSString).lastPathComponent, files: fs.sorted { $0.path < $1.path }, index: nil))
        }
        return out + ggufs.sorted { ($0.name, $0.files[0].path) < ($1.name, $1.files[0].path) }
    }

    /// `dir/model-Q4_K_M-00001-of-00003.gguf` → `dir/model-Q4_K_M`; other files keep their name.
    static func splitKey(_ path: String) -> String {
        var p = path
        if p.lowercased().hasSuffix(".gguf") { p = String(p.dropLast(5)) }
        let parts = p.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count >= 4, parts[parts.count - 2] == "of",
           parts[parts.count - 1].allSatisfy(\.isNumber), parts[parts.count - 3].allSatisfy(\.isNumber) {
            return parts.dropLast(3).joined(separator: "-")
        }
        return p
    }

    static let quantPattern = try! NSRegularExpression(
        pattern: #"(?i)(?:^|[-_.])((?:UD-)?(?:I?Q[1-8](?:_[0-9A-Z]+)*|F16|BF16|F32|FP16|MXFP4(?:_MOE)?|TQ[12]_0))$"#)

    /// The quantisation a GGUF file name ends with: `qwen2.5-7b-instruct-q4_k_m` → `Q4_K_M`.
    public static func quantName(_ stem: String) -> String? {
        let base = (stem as NSString).lastPathComponent
        let r = NSRange(base.startIndex..., in: base)
        guard let m = quantPattern.firstMatch(in: base, range: r), let q = Range(m.range(at: 1), in: base) else { return nil }
        return base[q].uppercased()
    }

    /// The one checkpoint a reference asks for: its `:QUANT` or file name, else the safetensors
    /// set, else llama.cpp's default pick (Q4_K_M), else the only one there is.
    public static func pick(_ all: [HubCheckpoint], file: String?, repo: String) throws -> HubCheckpoint {
        guard !all.isEmpty else { throw CoreError.invalidInput("hf:\(repo) has no .safetensors or .gguf weights") }
        if let file {
            let want = file.lowercased()
            if let c = all.first(where: { $0.name.lowercased() == want || $0.files.contains { $0.path.lowercased() == want } }) { return c }
            throw CoreError.unknownName(kind: "checkpoint in hf:\(repo)", name: file, known: all.map(\.name))
        }
        if let st = all.first(where: { $0.kind == .safetensors }) { return st }
        if all.count == 1 { return all[0] }
        if let q = all.first(where: { $0.name == "Q4_K_M" }) { return q }
        throw CoreError.badOption("hf:\(repo) holds \(all.count) GGUF files; pick one with :QUANT (\(all.map(\.name).joined(separator: ", ")))")
    }
}

/// A reader over the first bytes of a remote file whose full size is known. Reading past what
/// was fetched throws `needMore`, so a caller fetches a longer prefix and parses again.
public struct PrefixReader: ByteReader {
    public struct NeedMore: Error, Sendable { public var bytes: Int64 }
    let bytes: [UInt8]
    public let size: Int64
    public private(set) var position: Int64 = 0
    public init(_ bytes: [UInt8], size: Int64) { self.bytes = bytes; self.size = size }

    public mutating func read(_ count: Int) throws -> [UInt8] {
        guard count >= 0, position + Int64(count) <= size else {
            throw CoreError.invalidInput("file is truncated (wanted \(count) bytes at offset \(position), file has \(size))")
        }
        guard position + Int64(count) <= Int64(bytes.count) else { throw NeedMore(bytes: position + Int64(count)) }
        let out = Array(bytes[Int(position)..<Int(position) + count])
        position += Int64(count)
        return out
    }

    public mutating func skip(_ count: Int64) throws {
        guard count >= 0, position + count <= size else {
            throw CoreError.invalidInput("file is truncated (wanted \(count) bytes at offset \(position), file has \(size))")
        }
        position += count
    }
}

/// Where the Hugging Face cache keeps a repo: `models--ORG--NAME/{refs,snapshots,blobs}`.
public enum HubCacheLayout {
    public static func folder(_ repo: String) -> String { "models--" + repo.replacingOccurrences(of: "/", with: "--") }
    /// `models--ORG--NAME` → `ORG/NAME`.
    public static func repo(fromFolder name: String) -> String? {
        guard name.hasPrefix("models--") else { return nil }
        return String(name.dropFirst(8)).replacingOccurrences(of: "--", with: "/")
    }
}

/// A model read from the Hub or the local Hugging Face cache: what its files hold, exactly,
/// from their headers. Nothing of the weights is read.
public struct HubModel: Sendable, Encodable {
    public struct Read: Sendable, Encodable {
        public init(checkpoint: HubCheckpoint, inventory: Inventory) { self.checkpoint = checkpoint; self.inventory = inventory }
        /// A checkpoint read from its members' headers (and config.json beside safetensors), named
        /// by its repo: the one step the Hub and the local cache share once the bytes are in hand.
        public init(_ c: HubCheckpoint, members: [HubFile], headers: [(file: String, info: HeaderInfo)], config: [UInt8]?, slug: String, repo: String) throws {
            var inv = try InventoryBuilder.build(headers: headers, config: c.kind == .gguf ? nil : config, slug: slug)
            if var m = inv.architecture {
                m.hfRepo = repo
                if m.name == m.slug || m.name == "inspected" || m.name.isEmpty { m.name = repo }
                inv.architecture = m
            }
            self.init(checkpoint: HubCheckpoint(kind: c.kind, name: c.name, files: members, index: c.index), inventory: inv)
        }
        public var checkpoint: HubCheckpoint
        public var inventory: Inventory
    }
    public var repo: String
    public var revision: String
    public var commit: String
    /// "hub" (read over HTTP) or "cache" (the local Hugging Face cache).
    public var source: String
    /// The snapshot folder, when read from the cache.
    public var cachePath: String?
    public var checkpoints: [HubCheckpoint]
    public var read: [Read]
    public var hasConfig: Bool
    public var notes: [String]

    public init(repo: String, revision: String, commit: String, source: String, cachePath: String?, checkpoints: [HubCheckpoint],
                read: [Read], hasConfig: Bool, notes: [String]) {
        self.repo = repo; self.revision = revision; self.commit = commit; self.source = source; self.cachePath = cachePath
        self.checkpoints = checkpoints; self.read = read; self.hasConfig = hasConfig; self.notes = notes
    }

    enum CodingKeys: String, CodingKey {
        case repo, revision, commit, source, cachePath = "cache_path", checkpoints, read, hasConfig = "has_config", notes
    }

    /// The architecture: config.json where the repo has one, else the GGUF metadata.
    public var architecture: Model? { read.lazy.compactMap(\.inventory.architecture).first }

    /// The reference for messages and stored sources: hf:ORG/NAME@COMMIT.
    public var pinned: String { "hf:\(repo)@\(commit)" }
}


public enum HubImport {
    /// A Hub model for one answer (estimate, rank): its architecture under its default slug and
    /// the checkpoint read, as a variant with exact bytes.
    public static func resolved(_ h: HubModel) throws -> (model: Model, checkpoint: ModelVariant?) {
        guard let slug = h.architecture?.slug else {
            throw CoreError.invalidInput("hf:\(h.repo): no architecture (no config.json, and the GGUF metadata names none servefit knows)")
        }
        let (m, vs) = try plan(h, slug: slug, variants: true)
        return (m, vs.first)
    }

    /// What `model import hf:…` stores: the architecture (hf_repo, revision, commit) and, with
    /// `variants`, every checkpoint read as a measured variant. A checkpoint of another
    /// architecture refuses the whole import.
    public static func plan(_ h: HubModel, slug: String, name: String? = nil, hfRepo: String? = nil, variants: Bool) throws -> (model: Model, variants: [ModelVariant]) {
        guard var m = h.architecture else {
            throw CoreError.invalidInput("hf:\(h.repo): no architecture (no config.json, and the GGUF metadata names none servefit knows)")
        }
        m.slug = slug
        if let name { m.name = name }
        m.hfRepo = hfRepo ?? h.repo
        m.hfRevision = h.revision
        m.hfCommit = h.commit
        m.source = m.source ?? h.pinned
        try m.validate()
        guard variants else { return (m, []) }
        var out: [ModelVariant] = []
        for r in h.read {
            if let other = r.inventory.architecture, case let diff = m.architectureDifferences(from: other), !diff.isEmpty {
                throw CoreError.invalidInput("hf:\(h.repo): checkpoint \(r.checkpoint.name) is another architecture (\(diff.joined(separator: ", "))); "
                                             + "nothing imported (import it alone as hf:\(h.repo):\(r.checkpoint.name) under its own slug)")
            }
            let file = r.checkpoint.files.count == 1 ? r.checkpoint.files[0].path : (r.checkpoint.index ?? r.checkpoint.name)
            let v = ModelVariant(model: slug, name: r.checkpoint.kind == .gguf ? r.checkpoint.name : ModelVariant.defaultName(r.inventory),
                                 inventory: r.inventory, source: h.pinned + "/" + file)
            try v.validate()
            out.append(v)
        }
        return (m, out)
    }
}
