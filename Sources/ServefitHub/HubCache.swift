import Foundation
import ServefitCore
import ServefitFiles

/// The local Hugging Face cache as huggingface_hub lays it out:
/// `{cache}/models--ORG--NAME/refs/{revision}` holds the commit a branch or tag pointed at when
/// it was downloaded; `snapshots/{commit}/…` holds the files (links into `blobs/`).
public struct HubCache: Sendable {
    public var dir: String
    public init(dir: String) { self.dir = dir }

    /// The snapshot folder of a reference, when the cache has one.
    public func snapshot(_ ref: HubReference) -> (commit: String, path: String)? {
        let repoDir = dir + "/" + HubCacheLayout.folder(ref.repo)
        guard let commit = HubReference.isCommit(ref.revision) ? ref.revision : Self.commit(atRef: repoDir + "/refs/" + ref.revision) else { return nil }
        let path = repoDir + "/snapshots/" + commit
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { return nil }
        return (commit, path)
    }

    /// The commit a refs/ file holds (huggingface_hub writes it without a newline).
    static func commit(atRef path: String) -> String? {
        guard let d = FileManager.default.contents(atPath: path), d.count <= 128 else { return nil }
        let c = String(decoding: d, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return HubReference.isCommit(c) ? c : nil
    }

    /// Every file of a snapshot, relative paths and the sizes of what the links point at.
    func files(_ root: String) -> [HubFile] {
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [HubFile] = []
        while let rel = e.nextObject() as? String {
            let full = root + "/" + rel
            let real = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: real, isDirectory: &isDir), !isDir.boolValue else { continue }
            let size = ((try? FileManager.default.attributesOfItem(atPath: real))?[.size] as? NSNumber)?.int64Value ?? 0
            out.append(HubFile(path: rel, size: size, lfs: HubLayout.isWeights(rel)))
        }
        return out.sorted { $0.path < $1.path }
    }

    /// The model from the cache, when the snapshot holds the checkpoint asked for whole; nil
    /// when it is not cached (or only partly: then the Hub is asked).
    public func load(_ ref: HubReference, all: Bool, slug: String) throws -> HubModel? {
        guard let (commit, root) = snapshot(ref) else { return nil }
        let files = files(root)
        let checkpoints = HubLayout.checkpoints(files)
        guard !checkpoints.isEmpty else { return nil }
        let targets: [HubCheckpoint]
        do {
            targets = all ? checkpoints : [try HubLayout.pick(checkpoints, file: ref.file, repo: ref.repo)]
        } catch {
            return nil  // the checkpoint asked for is not downloaded: the Hub has the list
        }
        let configPath = root + "/config.json"
        let config = FileManager.default.fileExists(atPath: configPath) ? try ModelFiles.small(configPath) : nil
        var read: [HubModel.Read] = []
        for c in targets {
            var members = c.files
            var headers: [(file: String, info: HeaderInfo)] = []
            if let index = c.index {
                let (_, map) = try SafeTensors.parseIndex(try ModelFiles.small(root + "/" + index))
                // Shards still missing: the Hub has them.
                guard let shards = try? HubLayout.shards(of: c, weightMap: map, repo: ref.repo) else { return nil }
                members = shards
                headers = try members.map { ($0.path, try ModelFiles.header(root + "/" + $0.path)) }
                try SafeTensors.checkIndex(map, headers: headers)
            } else {
                headers = try members.map { (($0.path as NSString).lastPathComponent, try ModelFiles.header(root + "/" + $0.path)) }
            }
            read.append(try HubModel.Read(c, members: members, headers: headers, config: config, slug: slug, repo: ref.repo))
        }
        return HubModel(repo: ref.repo, revision: ref.revision, commit: commit, source: "cache", cachePath: root, checkpoints: checkpoints,
                        read: read, hasConfig: config != nil, notes: [])
    }

    /// One cached repo snapshot, for `inspect --cache`.
    public struct Entry: Sendable, Encodable {
        public var repo: String
        public var commit: String
        /// The branches and tags that point at this snapshot.
        public var refs: [String]
        public var files: Int
        /// Bytes of the snapshot's files, and of its weights (.safetensors, .gguf) alone.
        public var bytes: Int64
        public var weightsBytes: Int64
        public var checkpoints: [String]
        public var path: String
        enum CodingKeys: String, CodingKey {
            case repo, commit, refs, files, bytes, weightsBytes = "weights_bytes", checkpoints, path
        }
    }

    /// Every model snapshot in the cache (datasets and spaces are left out).
    public func list() -> [Entry] {
        let fm = FileManager.default
        guard let repos = try? fm.contentsOfDirectory(atPath: dir) else { return [] }
        var out: [Entry] = []
        for folder in repos.sorted() {
            guard let repo = HubCacheLayout.repo(fromFolder: folder) else { continue }
            let repoDir = dir + "/" + folder
            var refs: [String: [String]] = [:]
            if let e = fm.enumerator(atPath: repoDir + "/refs") {
                while let name = e.nextObject() as? String {
                        if let c = Self.commit(atRef: repoDir + "/refs/" + name) { refs[c, default: []].append(name) }
                }
            }
            for commit in ((try? fm.contentsOfDirectory(atPath: repoDir + "/snapshots")) ?? []).sorted() {
                let root = repoDir + "/snapshots/" + commit
                let fs = files(root)
                let weights = fs.filter { HubLayout.isWeights($0.path) }
                out.append(Entry(repo: repo, commit: commit, refs: (refs[commit] ?? []).sorted(), files: fs.count,
                                 bytes: fs.reduce(0) { $0 + $1.size }, weightsBytes: weights.reduce(0) { $0 + $1.size },
                                 checkpoints: HubLayout.checkpoints(fs).map(\.name), path: root))
            }
        }
        return out
    }
}
