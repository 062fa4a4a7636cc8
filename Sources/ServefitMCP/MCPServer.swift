import Foundation
import MCP
import ServefitCore
import ServefitFiles
import ServefitHub
import ServefitStore

/// servefit for agents: an MCP server (stdio) over the same catalog, estimator and ranking as
/// the CLI and the HTTP API. Each tool's arguments go through the parsers the other faces use
/// (EstimateSpec's strict decoding, the rank options), and each result is the CLI's
/// `--format json` object plus a one-line summary. Read-only unless writes are allowed.
public enum ServefitMCP {
    public static let actor = "mcp"

    /// The tools, with their JSON schemas.
    public static func tools(allowWrites: Bool) -> [Tool] {
        func object(_ props: [String: Value], required: [String] = []) -> Value {
            .object(["type": "object", "properties": .object(props), "required": .array(required.map { .string($0) }), "additionalProperties": .bool(false)])
        }
        func str(_ d: String) -> Value { .object(["type": "string", "description": .string(d)]) }
        func int(_ d: String) -> Value { .object(["type": "integer", "description": .string(d)]) }
        func num(_ d: String) -> Value { .object(["type": "number", "description": .string(d)]) }
        func bool(_ d: String) -> Value { .object(["type": "boolean", "description": .string(d)]) }
        let rankProps: [String: Value] = [
            "model": str("catalog model slug or Hugging Face id, or hf:ORG/NAME[@REV][:QUANT] to read it from the Hub"), "gpu": str("comma-separated GPU slugs (default: every GPU)"),
            "vendor": str("NVIDIA, AMD, Intel"), "provider": str("cloud provider"), "engine": str("vllm, sglang, trtllm, llama.cpp, transformers"),
            "counts": str("GPU counts to try, e.g. 1,2,4,8"), "formats": str("weight formats, e.g. fp16,fp8,int4"), "kv_cache": str("fp16, fp8, q8_0 …"),
            "input": str("prompt tokens per request (1024)"), "output": str("output tokens per request (256)"), "context": str("tokens per sequence"),
            "max_tpot": str("most time per output token, with a unit: 50ms"), "max_ttft": str("most time to first token: 2s"),
            "min_throughput": str("least output tokens per second"), "budget_per_hour": str("most USD per hour"), "traffic": str("requests per second to carry"),
            "top": str("rows to return (default 10)"), "max_price_age": str("prices older than this are stale: 180d"), "engine_version": str("vLLM release: 0.6.3, 0.10.1, latest"),
        ]
        var tools = [
            Tool(name: "estimate", description: "Memory for serving (or training) a model: weights, KV cache, activations, per GPU, whether it fits, and the engine's launch line. Arguments are servefit estimate's options in snake_case.",
                 inputSchema: object(["model": str("catalog model slug or Hugging Face id, or hf:ORG/NAME[@REV][:QUANT] to read it from the Hub"), "gpu": str("catalog GPU slug"), "gpus": int("number of GPUs"),
                                      "weights": str("fp16, bf16, fp8, int8, awq, gptq, Q4_K_M …"), "kv_cache": str("fp16, fp8 …"), "context": int("tokens per sequence"),
                                      "batch": int("sequences"), "engine": str("vllm, sglang, trtllm, llama.cpp, transformers, quick"),
                                      "tensor_parallel": int("tensor-parallel size"), "pipeline_parallel": int("pipeline stages"),
                                      "gpu_memory_utilization": num("vLLM --gpu-memory-utilization"), "max_num_batched_tokens": int("vLLM --max-num-batched-tokens"),
                                      "max_num_seqs": int("vLLM --max-num-seqs"), "engine_version": str("vLLM release: 0.6.3, 0.10.1, latest"),
                                      "gpu_memory": str("GPU memory for hardware not in the catalog: 24GiB"), "allow_long_context": bool("size past the trained context")],
                                     required: ["model"]),
                 annotations: .init(readOnlyHint: true)),
            Tool(name: "rank", description: "Every GPU × count × weight format for a model, cheapest per million output tokens first, with the constraints met (TPOT, TTFT, throughput, budget) and the instance each row rents.",
                 inputSchema: object(rankProps, required: ["model"]), annotations: .init(readOnlyHint: true)),
            Tool(name: "best_gpu", description: "The cheapest deployment of a model that meets the constraints, with its vLLM/SGLang/llama.cpp launch line.",
                 inputSchema: object(rankProps, required: ["model"]), annotations: .init(readOnlyHint: true)),
            Tool(name: "compare", description: "Several models side by side on one workload: for each model and GPU, the cheapest deployment that meets the constraints, or why none does.",
                 inputSchema: object(rankProps.merging(["models": str("comma-separated model slugs")]) { a, _ in a }.filter { $0.key != "model" }, required: ["models"]),
                 annotations: .init(readOnlyHint: true)),
            Tool(name: "model_search", description: "Catalog models whose slug, name or Hugging Face id contains the text (case-insensitive), with the closest names when none does.",
                 inputSchema: object(["text": str("part of a slug, name or Hugging Face id")], required: ["text"]), annotations: .init(readOnlyHint: true)),
            Tool(name: "model_show", description: "One catalog model's architecture and computed parameter counts.",
                 inputSchema: object(["model": str("slug or Hugging Face id")], required: ["model"]), annotations: .init(readOnlyHint: true)),
            Tool(name: "gpu_list", description: "Catalog GPUs: memory, bandwidth, TFLOPS, interconnect, compute capability.",
                 inputSchema: object(["vendor": str("NVIDIA, AMD, Intel"), "min_memory": str("at least this memory: 40GiB")]), annotations: .init(readOnlyHint: true)),
            Tool(name: "inspect", description: "What is really in a local checkpoint (a .safetensors file or folder, sharded or not, or a .gguf file), read from the file headers only: parameters, bytes, dtypes, quantisation, architecture.",
                 inputSchema: object(["path": str("a local file or folder")], required: ["path"]), annotations: .init(readOnlyHint: true)),
            Tool(name: "price_list", description: "GPU prices (USD per GPU-hour) with their instance shape, source and date; latest=true for current prices only.",
                 inputSchema: object(["gpu": str("GPU slug"), "provider": str("provider"), "latest": bool("current prices only")]), annotations: .init(readOnlyHint: true)),
        ]
        if allowWrites {
            tools.append(Tool(name: "price_add", description: "Record a GPU price (kept as history; in the change log as actor mcp).",
                              inputSchema: object(["gpu": str("GPU slug"), "provider": str("provider"), "usd_per_gpu_hour": num("USD per GPU-hour"),
                                                   "as_of": str("YYYY-MM-DD"), "source": str("where the price was read"), "pricing_model": str("on-demand, spot, reserved"),
                                                   "instance": str("instance name"), "region": str("region"), "gpus_per_instance": int("GPUs per instance"),
                                                   "link": str("none, pcie, nvlink, nvlink-bridge, xgmi, other")],
                                                  required: ["gpu", "provider", "usd_per_gpu_hour", "as_of", "source"])))
            tools.append(Tool(name: "scenario_save", description: "Save a ranking question by name (servefit scenario save), recorded as actor mcp.",
                              inputSchema: object(["name": str("scenario name"), "model": str("model slug"), "options": .object(["type": "object", "description": "rank options"]),
                                                   "notes": str("notes"), "replace": bool("replace an existing one")], required: ["name", "model"])))
        }
        return tools
    }

    public struct ToolError: Error, CustomStringConvertible { public var description: String }

    /// Runs one tool: the JSON text of its result and a one-line summary. Errors are thrown with
    /// the one-line message every face gives.
    /// A model named hf:ORG/NAME[@REV][:QUANT]: read from the local Hugging Face cache or the Hub
    /// for this one answer (HF_ENDPOINT, HF_TOKEN as for the CLI); nil for catalog names.
    static func hubModel(_ name: String?) async throws -> (model: Model, checkpoint: ModelVariant?)? {
        guard let name, let ref = try HubReference.parse(name) else { return nil }
        return try HubImport.resolved(try await HubReader(settings: try HubSettings.fromEnvironment()).load(ref))
    }

    public static func call(_ name: String, _ arguments: [String: Value], store: CatalogStore, allowWrites: Bool) async throws -> (json: String, summary: String) {
        let data = try JSONEncoder().encode(Value.object(arguments))
        func rankQuery(_ args: Data, top: Int?) throws -> RankQuery {
            var o = try RankQuery.optionStrings(json: args)
            if o["top"] == nil, let top { o["top"] = String(top) }
            return try RankQuery(options: o)
        }
        switch name {
        case "estimate":
            let spec = try JSONDecoder.strict(EstimateSpec.self, from: data, what: "the estimate arguments")
            let hub = try await hubModel(spec.model)
            let e = try store.estimate(spec, model: hub?.model, checkpoint: hub?.checkpoint)
            let fit = e.fits.map { $0 ? "fits" : "does not fit" } ?? "no GPU given"
            return (try json(e), "\(e.model) \(e.weights) on \(e.gpus) GPU(s): \(Units.gib(e.perGPUBytes ?? e.totalBytes)) per GPU, \(fit)" + (e.launch.map { "; launch: \($0)" } ?? ""))
        case "rank":
            let q = try rankQuery(data, top: 10)
            let r = try store.rank(q, model: try await hubModel(q.model)?.model)
            let head = r.ranked.prefix(3).map { "\($0.label) \($0.costKey.map { "$" + Units.format($0, 3) } ?? "-")" }.joined(separator: "; ")
            return (try json(r), r.ranked.isEmpty ? "nothing fits and meets the constraints (\(r.rejected.count) rejected)" : "best: \(head)")
        case "best_gpu":
            let q = try rankQuery(data, top: 1)
            let r = try store.rank(q, model: try await hubModel(q.model)?.model)
            guard let best = r.ranked.first else {
                throw ToolError(description: "nothing fits and meets the constraints (\(r.rejected.count) deployments rejected)")
            }
            return (try json(best), "\(best.label) at \(best.usdPerGPUHour.map { "$" + Units.format($0, 2) + "/GPU-h" } ?? "-")" + (best.launch.map { "; launch: \($0.command)" } ?? ""))
        case "compare":
            guard case .string(let list)? = arguments["models"] else { throw ToolError(description: "compare needs models: a comma-separated list of model slugs") }
            var rest = arguments
            rest["models"] = nil
            let models = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !models.isEmpty, models.count <= 16 else { throw ToolError(description: "compare takes 1 to 16 models") }
            rest["model"] = .string(models[0])
            let base = try rankQuery(try JSONEncoder().encode(Value.object(rest)), top: nil)
            let rows = try store.compare(models: models, base)
            return (try json(rows), "\(rows.count) rows for \(models.count) model(s)")
        case "model_search":
            guard case .string(let text)? = arguments["text"] else { throw ToolError(description: "model_search needs text (1-128 bytes)") }
            let (hits, closest) = try store.searchModels(text)
            if hits.isEmpty { throw ToolError(description: "no model matches '\(text.prefix(128))'" + (closest.isEmpty ? "" : " (did you mean \(closest.joined(separator: ", "))?)")) }
            return (try json(hits.map { ["slug": $0.slug, "name": $0.name, "hf_repo": $0.hfRepo ?? "", "model_type": $0.modelType] }), "\(hits.count) model(s): " + hits.prefix(8).map(\.slug).joined(separator: ", "))
        case "model_show":
            guard case .string(let m)? = arguments["model"] else { throw ToolError(description: "model_show needs model") }
            let model = try store.model(m)
            return (try json(model), "\(model.slug): \(model.modelType), \(model.layers) layers")
        case "gpu_list":
            var f = GPUFilter()
            if case .string(let v)? = arguments["vendor"] { f.vendor = v }
            if case .string(let v)? = arguments["min_memory"] { f.minMemoryBytes = try Units.parseBytes(v) }
            let gpus = try store.gpus(f)
            return (try json(gpus), "\(gpus.count) GPU(s)")
        case "price_list":
            var f = PriceFilter()
            if case .string(let v)? = arguments["gpu"] { f.gpu = v }
            if case .string(let v)? = arguments["provider"] { f.provider = v }
            if case .bool(let v)? = arguments["latest"] { f.latestOnly = v }
            let prices = try store.prices(f)
            return (try json(prices), "\(prices.count) price(s)")
        case "inspect":
            guard case .string(let path)? = arguments["path"], !path.isEmpty, path.utf8.count <= 4096 else { throw ToolError(description: "inspect needs path (a local file or folder)") }
            let inv = try ModelFiles.inventory(path)
            return (try json(inv), "\(inv.format): \(inv.tensorCount) tensors, \(Units.gib(inv.weightsBytes)) of weights")
        case "price_add", "scenario_save":
            guard allowWrites else { throw ToolError(description: "\(name) writes to the catalog: start servefit mcp with --allow-writes") }
            if name == "price_add" {
                let p = try JSONDecoder.strict(Price.self, from: data, what: "the price")
                let saved = try store.addPrice(p, actor: actor)
                return (try json(saved), "recorded \(saved.gpu) at \(saved.provider): $\(Units.format(saved.usdPerGPUHour, 2))/GPU-h as of \(saved.asOf)")
            }
            guard case .string(let n)? = arguments["name"], case .string(let m)? = arguments["model"] else { throw ToolError(description: "scenario_save needs name and model") }
            var opts: [String: Value] = ["model": .string(m)]
            if case .object(let o)? = arguments["options"] { for (k, v) in o { opts[k] = v } }
            let q = try RankQuery(options: try RankQuery.optionStrings(json: try JSONEncoder().encode(Value.object(opts))))
            var notes: String?
            if case .string(let t)? = arguments["notes"] { notes = t }
            var replace = false
            if case .bool(let b)? = arguments["replace"] { replace = b }
            let s = try store.saveScenario(name: n, query: q, notes: notes, replace: replace, actor: actor)
            return (try json(s), "saved scenario \(s.name)")
        default:
            throw ToolError(description: "unknown tool '\(name.prefix(64))'" + Suggest.hint(name, in: tools(allowWrites: true).map(\.name)))
        }
    }

    static func json<T: Encodable>(_ v: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(v), as: UTF8.self)
    }

    /// Serves MCP on standard input and output until the client closes it.
    public static func run(store: CatalogStore, allowWrites: Bool) async throws {
        let server = Server(name: "servefit", version: "1",
                            instructions: "Which GPU, how many, at what precision, and what a million tokens cost: memory estimates, rankings and prices over servefit's catalog.",
                            capabilities: .init(resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: false)))
        let toolList = tools(allowWrites: allowWrites)
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: toolList) }
        await server.withMethodHandler(CallTool.self) { params in
            do {
                let (text, summary) = try await call(params.name, params.arguments ?? [:], store: store, allowWrites: allowWrites)
                return .init(content: [.text(text: summary, annotations: nil, _meta: nil), .text(text: text, annotations: nil, _meta: nil)], isError: false)
            } catch {
                return .init(content: [.text(text: message(error), annotations: nil, _meta: nil)], isError: true)
            }
        }
        await server.withMethodHandler(ListResources.self) { _ in
            .init(resources: [Resource(name: "models", uri: "servefit://models", description: "Every catalog model (JSON)", mimeType: "application/json"),
                              Resource(name: "gpus", uri: "servefit://gpus", description: "Every catalog GPU (JSON)", mimeType: "application/json")],
                  nextCursor: nil)
        }
        await server.withMethodHandler(ReadResource.self) { params in
            switch params.uri {
            case "servefit://models": return .init(contents: [.text(try json(try store.models()), uri: params.uri, mimeType: "application/json")])
            case "servefit://gpus": return .init(contents: [.text(try json(try store.gpus()), uri: params.uri, mimeType: "application/json")])
            default: throw MCPError.invalidParams("unknown resource \(params.uri.prefix(80)) (servefit://models, servefit://gpus)")
            }
        }
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }

    /// The one-line message the CLI and the API give for an error.
    static func message(_ e: any Error) -> String {
        if let c = e as? CoreError { return c.description }
        if let s = e as? StoreError { return s.description }
        if let t = e as? ToolError { return t.description }
        if let f = e as? FileError { return f.description }
        if let h = e as? HubError { return h.description }
        if let d = e as? DecodingError { return "bad arguments: " + CatalogDocument.describe(d) }
        return "\(e)"
    }
}
