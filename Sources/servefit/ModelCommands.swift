import ArgumentParser
import Foundation
import ServefitCore
import ServefitFiles
import ServefitStore
import ServefitHub

/// A model as a JSON object, with the computed counts added (`params_total`, `params_active`).
func modelJSON(_ m: Model) throws -> [String: Any] {
    (try JSONSerialization.jsonObject(with: try JSONEncoder().encode(ModelInfo(m))) as? [String: Any]) ?? [:]
}

func printJSONObject(_ obj: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
}

/// Field flags for `model add` / `model update`, named after the config.json keys.
struct ModelFields: ParsableArguments {
    @Option(help: "Display name.") var name: String?
    @Option(help: "Hugging Face repo id, e.g. meta-llama/Llama-2-7b-hf.") var hfRepo: String?
    @Option(help: "config.json model_type (llama, qwen3_moe, deepseek_v3, ...).") var modelType: String?
    @Option(help: "decoder, encoder or encoder-decoder.") var kind: String?
    @Option(help: "config.json hidden_size.") var hiddenSize: Int?
    @Option(help: "config.json intermediate_size (the MLP width).") var intermediateSize: Int?
    @Option(help: "config.json num_hidden_layers.") var numHiddenLayers: Int?
    @Option(help: "config.json num_attention_heads.") var numAttentionHeads: Int?
    @Option(help: "config.json num_key_value_heads (GQA; default: the attention heads).") var numKeyValueHeads: Int?
    @Option(help: "config.json head_dim (default: hidden_size / heads).") var headDim: Int?
    @Option(help: "config.json vocab_size.") var vocabSize: Int?
    @Option(help: "config.json max_position_embeddings (the trained context).") var maxPositionEmbeddings: Int?
    @Option(help: "config.json sliding_window, in tokens.") var slidingWindow: Int?
    @Option(help: "config.json num_experts (routed experts of a MoE).") var numExperts: Int?
    @Option(help: "config.json num_experts_per_tok.") var numExpertsPerTok: Int?
    @Option(help: "config.json moe_intermediate_size (each expert's MLP width).") var moeIntermediateSize: Int?
    @Option(help: "true or false.") var tieWordEmbeddings: Bool?
    @Option(help: "Published parameter count (e.g. 7B, 6738415616).") var statedParams: String?
    @Option(help: "Licence name, e.g. apache-2.0.") var license: String?
    @Option(help: "Who owns it in your team.") var owner: String?
    @Option(help: "Free text.") var notes: String?
    @Option(help: "Where the architecture comes from (a URL).") var source: String?
    @Option(name: .customLong("tag"), help: "A tag (repeatable); replaces the tag list.") var tags: [String] = []
    @Option(name: .customLong("set"), help: ArgumentHelp("Any other field: key=value with the config.json key (value in JSON).", valueName: "key=value"))
    var sets: [String] = []

    func apply(to d: inout [String: Any]) throws {
        let strings: [(String, String?)] = [("name", name), ("hf_repo", hfRepo), ("model_type", modelType), ("kind", kind),
                                            ("license", license), ("owner", owner), ("notes", notes), ("source", source)]
        for (k, v) in strings { if let v { d[k] = v } }
        let ints: [(String, Int?)] = [("hidden_size", hiddenSize), ("intermediate_size", intermediateSize), ("num_hidden_layers", numHiddenLayers),
                                      ("num_attention_heads", numAttentionHeads), ("num_key_value_heads", numKeyValueHeads), ("head_dim", headDim),
                                      ("vocab_size", vocabSize), ("max_position_embeddings", maxPositionEmbeddings), ("sliding_window", slidingWindow),
                                      ("num_experts", numExperts), ("num_experts_per_tok", numExpertsPerTok), ("moe_intermediate_size", moeIntermediateSize)]
        for (k, v) in ints { if let v { d[k] = v } }
        if let t = tieWordEmbeddings { d["tie_word_embeddings"] = t }
        if let s = statedParams { d["stated_params"] = try Units.parseCount(s) }
        if !tags.isEmpty { d["tags"] = tags }
        let known = Set(Model.CodingKeys.allCases.map(\.rawValue))
        for s in sets {
            guard let eq = s.firstIndex(of: "=") else { throw CLIError(message: "--set takes key=value (got '\(s)')", code: 64) }
            let key = String(s[..<eq]).replacingOccurrences(of: "-", with: "_")
            let raw = String(s[s.index(after: eq)...])
            guard known.contains(key) else { throw CLIError(message: "unknown model field '\(key)'", code: 64) }
            if raw == "null" { d.removeValue(forKey: key); continue }
            if let v = try? JSONSerialization.jsonObject(with: Data(raw.utf8), options: [.fragmentsAllowed]) { d[key] = v } else { d[key] = raw }
        }
    }
}

func decodeModel(_ d: [String: Any]) throws -> Model {
    let data = try JSONSerialization.data(withJSONObject: d)
    do { return try JSONDecoder().decode(Model.self, from: data) } catch let DecodingError.keyNotFound(k, _) {
        throw CLIError(message: "model is missing required field '\(k.stringValue)'", code: 65)
    } catch let DecodingError.typeMismatch(_, ctx) {
        throw CLIError(message: "model field '\(CatalogDocument.path(ctx.codingPath))' has the wrong type", code: 65)
    } catch let DecodingError.dataCorrupted(ctx) {
        throw CLIError(message: "model field '\(CatalogDocument.path(ctx.codingPath))': \(ctx.debugDescription)", code: 65)
    }
}

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "List, show, add, update, remove and import model architectures.",
        subcommands: [List.self, Search.self, Show.self, Add.self, Update.self, Remove.self, Import.self, Refresh.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List models with their computed parameter counts.",
                                                        discussion: "Example: servefit model list --family qwen3 --min-params 10B --format csv")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var fmt: FormatOption
        @Option(help: "model_type family, e.g. llama, qwen3 (also matches qwen3_moe).") var family: String?
        @Option(help: "decoder, encoder or encoder-decoder.") var type: String?
        @Option(help: "Only models with this tag.") var tag: String?
        @Option(help: "Minimum computed parameters (e.g. 7B).") var minParams: String?
        @Option(help: "Maximum computed parameters (e.g. 70B).") var maxParams: String?

        func run() throws {
            try CLI.run {
                let lo = try minParams.map(Units.parseCount), hi = try maxParams.map(Units.parseCount)
                let infos = try global.open().modelInfos(ModelFilter(family: family, kind: type, tag: tag), minParams: lo, maxParams: hi)
                let rows = infos.map { ($0.model, $0.count) }
                switch fmt.format {
                case .json: try CLI.printJSON(infos)
                case .csv:
                    try CLI.printCSV(infos, columns: ["slug", "model_type", "kind", "params_total", "params_active", "num_hidden_layers", "hidden_size",
                                                      "num_attention_heads", "num_key_value_heads", "max_position_embeddings", "hf_repo"])
                case .table:
                    CLI.printTable(["slug", "model_type", "kind", "params", "active", "layers", "hidden", "heads/kv", "context", "hf_repo"],
                                   rows.map { m, pc in
                                       [m.slug, m.modelType, m.kind.rawValue, pc.map { CLI.params($0.total) } ?? "?",
                                        pc.map { CLI.params($0.active) } ?? "?", String(m.layers), m.hiddenSize.map(String.init) ?? "-",
                                        "\(m.heads)/\(m.kvHeads)", m.maxPositionEmbeddings.map(String.init) ?? "-", m.hfRepo ?? "-"]
                                   }, format: fmt.format)
                }
            }
        }
    }

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Find models by part of a slug, name or Hugging Face id.",
                                                        discussion: "Example: servefit model search qwen3")
        @OptionGroup var fmt: FormatOption
        @Option(name: .long, help: ArgumentHelp("Catalog database file (env SERVEFIT_DB).", valueName: "path")) var db: String?
        @Argument(help: "Text to look for (case-insensitive).") var text: String
        func run() throws {
            try CLI.run {
                var g = GlobalOptions()
                g.db = db
                let (hits, closest) = try g.open().searchModels(text)
                if hits.isEmpty {
                    throw CLIError(message: "no model matches '\(text.prefix(128))'" + (closest.isEmpty ? "" : " (did you mean \(closest.joined(separator: ", "))?)"), code: 1)
                }
                if fmt.format == .json { try CLI.printJSON(hits); return }
                if fmt.format == .csv { try CLI.printCSV(hits, leading: ["slug", "name", "hf_repo", "model_type"]); return }
                CLI.printTable(["slug", "name", "hf_repo", "model_type"], hits.map { [$0.slug, $0.name, $0.hfRepo ?? "-", $0.modelType] }, format: fmt.format)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one model (by slug or hf_repo).",
                                                        discussion: "Example: servefit model show meta-llama/Llama-2-7b-hf")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var fmt: FormatOption
        @Argument(help: "Slug or Hugging Face repo id.", completion: Completions.models) var model: String

        func run() throws {
            try CLI.run {
                let m = try global.open().model(model)
                let d = try modelJSON(m)
                if fmt.format == .json { try printJSONObject(d); return }
                if fmt.format == .csv { CLI.printCSV(objects: [d], leading: ["slug", "name", "hf_repo", "model_type"]); return }
                let rows = d.keys.sorted().compactMap { k -> [String]? in
                    let v = d[k]!
                    if v is NSNull { return nil }
                    if let a = v as? [Any] { return [k, a.map { "\($0)" }.joined(separator: ",")] }
                    return [k, "\(v)"]
                }
                CLI.printTable(["field", "value"], rows, format: fmt.format)
                let vs = try global.open().variants(of: m.slug)
                if !vs.isEmpty {
                    print("")
                    print("measured variants (estimate --variant NAME):")
                    CLI.printTable(["variant", "format", "quantization", "params", "weights", "bits/weight", "source"],
                                   vs.map { [$0.name, $0.format, $0.quantization, String($0.paramsTotal), Units.human($0.weightsBytes),
                                             Units.format($0.bitsPerWeight, 3), $0.source] }, format: fmt.format)
                }
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a model from flags or a JSON object.",
            discussion: """
                Examples:
                  servefit model add --slug my-llama --model-type llama --hidden-size 4096 --intermediate-size 11008 \\
                    --num-hidden-layers 32 --num-attention-heads 32 --num-key-value-heads 8 --vocab-size 32000
                  servefit model add --from-json model.json
                """)
        @OptionGroup var global: WriteOptions
        @Option(help: "Unique slug.") var slug: String?
        @Option(help: "A JSON object with the model's fields (config.json key names).") var fromJson: String?
        @OptionGroup var fields: ModelFields

        func run() throws {
            try CLI.run {
                var d: [String: Any] = [:]
                if let fromJson {
                    guard let obj = try? JSONSerialization.jsonObject(with: try CLI.readFile(fromJson)) as? [String: Any] else {
                        throw CLIError(message: "\(fromJson) is not a JSON object", code: 65)
                    }
                    d = obj
                }
                if let slug { d["slug"] = slug }
                try fields.apply(to: &d)
                guard d["slug"] != nil else { throw CLIError(message: "--slug is required", code: 64) }
                if d["name"] == nil { d["name"] = d["slug"] }
                let m = try decodeModel(d)
                try m.validate()
                try global.open().addModel(m, actor: global.who)
                print("added model \(m.slug)")
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change fields of a model.",
                                                        discussion: "Example: servefit model update llama-2-7b --tag llama --tag prod --owner ml-platform")
        @OptionGroup var global: WriteOptions
        @Argument(help: "Slug or hf_repo of the model to change.") var model: String
        @Option(help: "Rename the slug.") var newSlug: String?
        @OptionGroup var fields: ModelFields

        func run() throws {
            try CLI.run {
                let store = try global.open()
                let old = try store.model(model)
                var d = (try JSONSerialization.jsonObject(with: try JSONEncoder().encode(old)) as? [String: Any]) ?? [:]
                try fields.apply(to: &d)
                if let newSlug { d["slug"] = newSlug }
                let m = try decodeModel(d)
                try store.updateModel(model, to: m, actor: global.who)
                print("updated model \(m.slug)")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a model.")
        @OptionGroup var global: WriteOptions
        @Argument(help: "Model slug or Hugging Face repo id.") var model: String
        func run() throws {
            try CLI.run {
                try global.open().removeModel(model, actor: global.who)
                print("removed model \(model)")
            }
        }
    }

    struct Refresh: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a model's Hugging Face repo again and show what changed (commit and architecture); store it unless --dry-run.",
            discussion: """
                The repo is the model's hf_repo, at the revision it was imported at (hf_revision,
                default main) unless --revision names another. The Hub is asked even when the local
                cache holds an older snapshot. The catalog's own fields (tags, owner, notes,
                licence) are kept.

                Examples:
                  servefit model refresh qwen3-8b --dry-run
                  servefit model refresh qwen3-8b --revision main
                """)
        @OptionGroup var global: WriteOptions
        @OptionGroup var fmt: FormatOption
        @Argument(help: "Model slug or Hugging Face repo id.") var model: String
        @Option(help: "Branch, tag or commit to read (default: the one it was imported at).") var revision: String?
        @Flag(help: "Show what changed without storing it.") var dryRun = false

        struct Change: Encodable { var field: String; var before: String; var after: String }
        struct Report: Encodable {
            var model: String, repo: String, revision: String, commitBefore: String?, commitAfter: String, changes: [Change], stored: Bool
            enum CodingKeys: String, CodingKey {
                case model, repo, revision, commitBefore = "commit_before", commitAfter = "commit_after", changes, stored
            }
        }

        func run() throws {
            try CLI.run {
                let store = try global.open()
                let old = try store.model(model)
                guard let repo = old.hfRepo else { throw CLIError(message: "model \(old.slug) has no hf_repo to refresh from", code: 65) }
                let ref = try HubReference(repo: repo, revision: revision ?? old.hfRevision ?? "main")
                let h = try ModelResolver.loadHub(ref, slug: old.slug, useCache: false)
                var new = try HubImport.plan(h, slug: old.slug, name: old.name, hfRepo: repo, variants: false).model
                new.tags = old.tags; new.owner = old.owner; new.notes = old.notes; new.license = old.license
                new.source = old.source ?? new.source; new.statedParams = old.statedParams
                var changes = try Self.differences(old, new)
                if old.hfCommit != h.commit { changes.insert(Change(field: "hf_commit", before: old.hfCommit ?? "-", after: h.commit), at: 0) }
                let store_ = !dryRun && !changes.isEmpty
                if store_ { try store.updateModel(old.slug, to: new, actor: global.who) }
                let report = Report(model: old.slug, repo: repo, revision: ref.revision, commitBefore: old.hfCommit, commitAfter: h.commit,
                                    changes: changes, stored: store_)
                switch fmt.format {
                case .json: try CLI.printJSON(report)
                case .csv: try CLI.printCSV(changes)
                case .table:
                    print("\(old.slug): hf:\(repo)@\(ref.revision) is \(h.commit)" + (old.hfCommit.map { $0 == h.commit ? " (unchanged)" : " (was \($0))" } ?? ""))
                    if changes.isEmpty { print("nothing changed"); return }
                    CLI.printTable(["field", "before", "after"], changes.map { [$0.field, $0.before, $0.after] }, format: .table)
                    print(store_ ? "stored (servefit history --key \(old.slug) shows before and after)" : "not stored (--dry-run)")
                }
            }
        }

        /// The architecture fields that differ, as JSON text.
        static func differences(_ a: Model, _ b: Model) throws -> [Change] {
            let skip: Set<String> = ["slug", "name", "tags", "owner", "notes", "license", "source", "created_at", "updated_at",
                                     "hf_repo", "hf_revision", "hf_commit", "stated_params"]
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            func fields(_ m: Model) throws -> [String: String] {
                let o = try JSONSerialization.jsonObject(with: enc.encode(m)) as? [String: Any] ?? [:]
                return CLI.flatten(o).filter { !skip.contains($0.key) }
            }
            let x = try fields(a), y = try fields(b)
            return Set(x.keys).union(y.keys).sorted().compactMap { k in
                x[k] == y[k] ? nil : Change(field: k, before: x[k] ?? "-", after: y[k] ?? "-")
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a model from the Hub, its config.json, or a checkpoint folder or GGUF file with its measured weights.",
            discussion: """
                hf:ORG/NAME[@REVISION] reads the repo from the local Hugging Face cache or the Hub
                (config.json and the weights' headers, never the weights) and stores its architecture
                with hf_repo, the revision and the commit it resolved to; --variants also stores each
                checkpoint in the repo (every GGUF quantisation, the safetensors set) as a measured
                variant that `estimate --variant` sizes exactly.
                A config.json gives the architecture. A folder with safetensors (and config.json) or a .gguf file
                also stores the measured weight inventory as a variant of the model (name: --variant, else the
                format), which `estimate --variant` uses instead of the formula. An existing model keeps its
                architecture unless --replace; the variant is added to it.

                Examples:
                  servefit model import hf:Qwen/Qwen3-8B
                  servefit model import hf:Qwen/Qwen2.5-7B-Instruct-GGUF \\
                    --slug qwen2.5-7b-instruct --variants
                  servefit model import ./Qwen3-8B/config.json --slug qwen3-8b-local --hf-repo Qwen/Qwen3-8B
                  servefit model import ./Llama-3.1-8B-Instruct-AWQ --slug llama-3.1-8b-instruct --variant awq-int4
                  servefit model import ./qwen2.5-7b-instruct-q4_k_m.gguf --slug qwen2.5-7b-instruct
                """)
        @OptionGroup var global: WriteOptions
        @Argument(help: "hf:ORG/NAME[@REV], a config.json, a checkpoint folder, or a .gguf / .safetensors file.") var path: String
        @Option(help: "Slug to store it under (default for hf: the repo's name, lower-cased).") var slug: String?
        @Option(help: "Hugging Face repo id.") var hfRepo: String?
        @Option(help: "Display name.") var name: String?
        @Option(help: "Variant name for the measured weights (default: the weight format, e.g. awq, fp8, Q4_K_M).") var variant: String?
        @Flag(help: "hf: also store every checkpoint of the repo (GGUF quantisations, the safetensors set) as a variant.") var variants = false
        @Flag(help: "Replace an existing model (and variant) with this slug.") var replace = false

        func run() throws {
            try CLI.run {
                if let ref = try HubReference.parse(path) { try importHub(ref); return }
                guard let slug else { throw CLIError(message: "--slug is required for a file or folder (hf: repos default to the repo's name)", code: 64) }
                let store = try global.open()
                if ModelResolver.isConfigOnly(path) {
                    let file = ModelResolver.isFolder(path) ? path + "/config.json" : path
                    let m = try HFConfig.parse(try CLI.readFile(file), slug: slug, name: name, hfRepo: hfRepo)
                    try put(m, slug, store)
                    let pc = try? ParamCounter.count(m)
                    print("imported \(m.modelType) model \(slug)" + (pc.map { ": \($0.total) parameters (\(CLI.params($0.active)) active)" } ?? ""))
                    return
                }
                let inv = try ModelFiles.inventory(path, slug: slug)
                var m = try inv.architecture ?? { throw CLIError(message: "\(path) has no architecture (no config.json beside the safetensors)", code: 65) }()
                if let name { m.name = name }
                if let hfRepo { m.hfRepo = hfRepo }
                let existing = try checkSameArchitecture(m, slug, store)
                if existing == nil || replace { try put(m, slug, store) }
                let vname = variant ?? ModelVariant.defaultName(inv)
                let saved = try store.saveVariant(ModelVariant(model: slug, name: vname, inventory: inv, source: (path as NSString).standardizingPath),
                                                  replace: replace, actor: global.who)
                print("imported \(existing == nil || replace ? "model \(slug) and " : "")variant \(slug):\(saved.name): \(inv.paramsTotal) parameters, "
                      + "\(Units.human(inv.weightsBytes)) of weights (\(Units.format(inv.bitsPerWeight, 3)) bits/weight, \(inv.quantization))")
                if let c = inv.check, !c.agrees { print("warning: \(c.note)") }
            }
        }

        /// A variant is the same model in other bytes: a checkpoint of another architecture is refused.
        func checkSameArchitecture(_ m: Model, _ slug: String, _ store: CatalogStore) throws -> Model? {
            let existing = try? store.model(slug)
            if let old = existing, !replace {
                let diff = old.architectureDifferences(from: m)
                if !diff.isEmpty {
                    throw CLIError(message: "\(path) is not a checkpoint of \(slug): its header has \(diff.joined(separator: ", ")) "
                                   + "(import it under its own --slug, or --replace the model)", code: 65)
                }
            }
            return existing
        }

        func importHub(_ ref: HubReference) throws {
            let slug = slug ?? ref.defaultSlug
            try Model.validateSlug(slug)
            let h = try ModelResolver.loadHub(ref, all: variants, slug: slug)
            let (m, vs) = try HubImport.plan(h, slug: slug, name: name, hfRepo: hfRepo, variants: variants)
            let r = try global.open().importModel(m, variants: vs, replace: replace, actor: global.who)
            let pc = try? ParamCounter.count(r.model)
            print("imported \(r.created || replace ? "" : "(kept the stored architecture of) ")model \(slug) from \(h.pinned)"
                  + (h.source == "cache" ? " (local Hugging Face cache)" : "") + (pc.map { ": \($0.total) parameters" } ?? ""))
            for v in r.variants {
                print("  variant \(slug):\(v.name): \(Units.human(v.weightsBytes)) of weights (\(Units.format(v.bitsPerWeight, 3)) bits/weight, \(v.quantization))")
            }
        }

        func put(_ m: Model, _ slug: String, _ store: CatalogStore) throws {
            if replace, (try? store.model(slug)) != nil {
                try store.updateModel(slug, to: m, actor: global.who)
            } else {
                try store.addModel(m, actor: global.who)
            }
        }
    }
}
