import Foundation
import ServefitCore
import ServefitFiles
import ServefitHub
import ServefitStore

/// Runs async library work from a synchronous command and waits for it.
final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// A model as a command names it: a catalog slug or Hugging Face id; `hf:ORG/NAME[@REV][:QUANT]`
/// (or any repo id with `--from-hub`) read from the local Hugging Face cache or the Hub; a
/// config.json, checkpoint folder, .safetensors or .gguf file on disk.
struct ResolvedModel {
    var model: Model
    /// The checkpoint's exact bytes, when files were read (a Hub repo or a local checkpoint).
    var variant: ModelVariant?
    /// Where it came from, for the first line of the answer ("hf:Qwen/Qwen3-8B@<commit> (cache)").
    var origin: String?
    var hub: HubModel?
}

enum ModelResolver {
    static func hubReader() throws -> HubReader { HubReader(settings: try HubSettings.fromEnvironment()) }

    /// Reads a Hub repo (cache first). `all` reads every checkpoint (inspect).
    static func loadHub(_ ref: HubReference, all: Bool = false, slug: String? = nil, useCache: Bool = true) throws -> HubModel {
        let reader = try hubReader()
        return try blocking { try await reader.load(ref, all: all, slug: slug, useCache: useCache) }
    }

    static func isFolder(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    static func folderHoldsWeights(_ path: String) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).contains(where: HubLayout.isWeights)
    }

    /// A config.json, or a folder without weights in it: the architecture alone, no bytes measured.
    static func isConfigOnly(_ path: String) -> Bool {
        path.lowercased().hasSuffix(".json") || (isFolder(path) && !folderHoldsWeights(path))
    }

    static func isLocalPath(_ name: String) -> Bool {
        let lower = name.lowercased()
        if lower.hasSuffix(".json") || HubLayout.isWeights(name) { return true }
        return (name.hasPrefix("/") || name.hasPrefix(".") || name.hasPrefix("~")) && FileManager.default.fileExists(atPath: name)
            || (isFolder(name) && (FileManager.default.fileExists(atPath: name + "/config.json") || folderHoldsWeights(name)))
    }

    static func resolve(_ name: String, fromHub: Bool, store: () throws -> CatalogStore) throws -> ResolvedModel {
        if let ref = try HubReference.parse(name) { return try fromHubModel(ref) }
        if isLocalPath(name) { return try local(name) }
        do {
            return ResolvedModel(model: try store().model(name))
        } catch let e as StoreError {
            guard fromHub, case .notFound = e else { throw e }
            return try fromHubModel(try HubReference.parseBare(name))
        }
    }

    /// A model the catalog does not hold, for ranking: an hf: reference (or, with --from-hub, a
    /// repo id the catalog lacks) or a file on disk. nil for a catalog name.
    static func uncataloged(_ name: String, fromHub: Bool, store: CatalogStore) throws -> Model? {
        if try HubReference.parse(name) != nil || isLocalPath(name) || (fromHub && (try? store.model(name)) == nil) {
            return try resolve(name, fromHub: fromHub, store: { store }).model
        }
        return nil
    }

    static func fromHubModel(_ ref: HubReference) throws -> ResolvedModel {
        let reader = try hubReader()
        let h = try blocking { try await reader.load(ref) }
        let (m, v) = try HubImport.resolved(h)
        let from = h.source == "cache" ? "from the local Hugging Face cache" : "from \(reader.settings.endpoint)"
        return ResolvedModel(model: m, variant: v, origin: "\(h.pinned) (\(from))", hub: h)
    }

    /// A config.json (architecture only) or a checkpoint on disk (architecture and exact bytes).
    static func local(_ path: String) throws -> ResolvedModel {
        if isConfigOnly(path) {
            let file = path.lowercased().hasSuffix(".json") ? path : path + "/config.json"
            return ResolvedModel(model: try HFConfig.parse(try CLI.readFile(file), slug: "local-config", name: file), origin: file)
        }
        let inv = try ModelFiles.inventory(path, slug: "local-checkpoint")
        guard var m = inv.architecture else {
            throw CLIError(message: "\(path) has no architecture servefit can read (no config.json beside the safetensors)", code: 65)
        }
        if m.name == m.slug { m.name = path }
        let v = ModelVariant(model: m.slug, name: inv.weights, inventory: inv, source: (path as NSString).standardizingPath)
        return ResolvedModel(model: m, variant: v, origin: path)
    }
}
