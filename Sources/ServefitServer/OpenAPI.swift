import Foundation
import ServefitCore
import ServefitStore

/// The OpenAPI 3.0 document, generated from `API.routes` so it lists exactly the routes served.
enum OpenAPI {
    static let document: [UInt8] = {
        let data = (try? JSONSerialization.data(withJSONObject: object(), options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Array(data)
    }()

    static func object() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for r in API.routes {
            var op: [String: Any] = ["summary": r.summary, "tags": [r.tag], "operationId": operationID(r)]
            var params: [[String: Any]] = []
            for seg in r.path.split(separator: "/") where seg.hasPrefix("{") {
                let name = String(seg.dropFirst().dropLast())
                params.append(["name": name, "in": "path", "required": true, "schema": name == "id" ? S.int(1, Int(Int64.max)) : S.slug])
            }
            for q in r.query {
                params.append(["name": q, "in": "query", "required": q == "model" && r.path == "/v1/rank",
                               "schema": S.query[q] ?? S.line(Limits.name)])
            }
            if !params.isEmpty { op["parameters"] = params }
            if let b = r.body {
                var content: [String: Any] = ["application/json": ["schema": ["$ref": "#/components/schemas/\(b)"]]]
                if r.textBody { content["text/plain"] = ["schema": ["type": "string", "minLength": 1, "maxLength": EngineOutputs.maxBytes]] }
                op["requestBody"] = ["required": true, "content": content]
            }
            var ok: [String: Any] = ["description": r.status == 204 ? "done" : "success"]
            if let s = r.response { ok["content"] = ["application/json": ["schema": ["$ref": "#/components/schemas/\(s)"]]] }
            else if r.status != 204 { ok["content"] = [contentType(r): ["schema": ["type": "string"]]] }
            var responses: [String: Any] = [String(r.status): ok]
            for (code, text) in errorCodes(r) {
                responses[code] = ["description": text, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
            }
            op["responses"] = responses
            if API.roleNeeded(method: r.method, path: r.path, requireTokenForReads: false) != nil {
                op["security"] = [["bearer": []]]
            }
            paths[r.path, default: [:]][r.method.rawValue.lowercased()] = op
        }
        return [
            "openapi": "3.0.3",
            "info": ["title": "servefit", "version": "1",
                     "description": "Which GPU, how many, at what precision, and what a million tokens cost. JSON objects are the CLI's --format json objects. "
                        + "Request bodies are strict: unknown fields, duplicate keys and values outside the ranges below are 400."],
            "paths": paths,
            "components": ["schemas": schemas, "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
        ]
    }

    static func operationID(_ r: Route) -> String {
        let parts = r.path.split(separator: "/").map { $0.hasPrefix("{") ? "by_" + $0.dropFirst().dropLast() : String($0) }
        return r.method.rawValue.lowercased() + "_" + parts.joined(separator: "_").replacingOccurrences(of: ".", with: "_")
    }

    static func contentType(_ r: Route) -> String {
        r.path.hasSuffix(".js") ? "text/javascript" : r.path.hasSuffix(".css") ? "text/css" : "text/html"
    }

    static func errorCodes(_ r: Route) -> [(String, String)] {
        guard r.path.hasPrefix("/v1/") else { return [] }
        var out = [("400", "bad input"), ("401", "missing, unknown or revoked token"), ("503", "the catalog database cannot be reached")]
        if API.roleNeeded(method: r.method, path: r.path, requireTokenForReads: false) != nil { out.append(("403", "the token's role is not enough")) }
        if r.path.contains("{") || r.body != nil || r.path == "/v1/rank" { out.append(("404", "no such entry (a named model, GPU or scenario)")) }
        if r.method == .post || r.method == .put || r.method == .delete { out.append(("409", "conflict: duplicate key, stale If-Match ETag, or still in use")) }
        if r.body != nil { out.append(("413", "body too large")); out.append(("415", "the body is not application/json")) }
        if ["/v1/estimate", "/v1/rank", "/v1/models/import"].contains(r.path) {
            out.append(("502", "the Hugging Face Hub (HF_ENDPOINT) could not be reached or sent what servefit will not read"))
            if !out.contains(where: { $0.0 == "403" }) { out.append(("403", "the token's role is not enough, or the Hub refuses a gated or private repo")) }
        }
        return out
    }

    static func list(_ item: String) -> [String: Any] { ["type": "array", "items": ["$ref": "#/components/schemas/\(item)"]] }

    /// A response object: what the server writes, keys it may add later allowed.
    static func response(_ props: [String: Any], required: [String] = []) -> [String: Any] {
        var o: [String: Any] = ["type": "object", "properties": props]
        if !required.isEmpty { o["required"] = required }
        return o
    }

    static var rankRowProps: [String: Any] { return [
        "model": S.str, "gpu": S.str, "gpu_name": S.str, "gpu_count": S.integer, "tensor_parallel": S.integer, "attention_dp": S.integer,
        "weights": S.str, "kv_cache": S.str, "engine": S.str, "batch": S.integer, "context": S.integer,
        "per_gpu_bytes": S.integer, "terms": ["type": "object"], "ttft_ms": S.number, "tpot_ms": S.number, "throughput_tokens_per_s": S.number,
        "provider": S.str, "usd_per_gpu_hour": S.number, "usd_per_million_tokens": S.number,
        "usd_per_million_tokens_blended": S.number, "rejected_reason": S.str,
        "replicas": S.integer, "usd_per_hour_at_traffic": S.number,
        // With traffic: one replica at its share, as Poisson arrivals.
        "at_traffic": response(["requests_per_s": S.number, "in_flight": S.number, "prefill_utilization": S.number, "keeps_up": ["type": "boolean"],
                                "ttft_p50_ms": S.number, "ttft_p90_ms": S.number, "tpot_p50_ms": S.number, "tpot_p90_ms": S.number]),
    ] }

    static var schemas: [String: Any] {
        [
            "Error": response(["error": S.str, "detail": S.str], required: ["error", "detail"]),
            "Health": response(["status": S.str, "models": S.integer, "gpus": S.integer, "prices": S.integer, "scenarios": S.integer]),
            "Model": S.model,
            "ModelList": list("Model"),
            "VariantList": ["type": "array", "items": response(["model": S.str, "name": S.str, "format": S.str, "quantization": S.str,
                                                                "weights_bytes": S.integer, "params_total": S.integer, "bits_per_weight": S.number])],
            "GPU": S.gpu,
            "GPUList": list("GPU"),
            "Price": S.price,
            "PriceList": list("Price"),
            "Scenario": response(["name": S.str, "model": S.str, "options": ["type": "object"], "result": ["type": "object", "nullable": true], "notes": S.nullableString]),
            "ScenarioList": list("Scenario"),
            "ScenarioInput": S.strict(["name": S.slug, "model": S.modelName,
                                       "options": ["type": "object", "maxProperties": Limits.options,
                                                   "additionalProperties": S.optionValue],
                                       "notes": S.text(Limits.notes)], required: ["name", "model"], notNull: ["options", "notes"]),
            "ScenarioRun": response(["scenario": S.str, "query": ["type": "object"], "best": ["type": "object"], "saved": ["type": "object"],
                                     "changes": ["type": "array", "items": S.str], "result": ["type": "object"]]),
            "HubImport": S.strict(["model": S.modelName, "slug": S.slug, "name": S.line(Limits.name), "variants": ["type": "boolean"],
                                   "replace": ["type": "boolean"]], required: ["model"]),
            "HubImportResult": response(["model": ["type": "object"], "created": ["type": "boolean"], "commit": S.str, "source": S.str,
                                         "variants": ["type": "array", "items": ["type": "object"]]]),
            "EstimateSpec": S.estimateSpec,
            "Estimate": response(["model": S.str, "params_total": S.integer, "weights_bytes": S.integer, "kv_cache_bytes": S.integer,
                                  "total_bytes": S.integer, "per_gpu_bytes": S.integer, "fits": ["type": "boolean"],
                                  "components": ["type": "array", "items": ["type": "object"]]]),
            "RankOptions": S.strict(Dictionary(uniqueKeysWithValues: RankQuery.optionNames.map { ($0, S.rankOption($0)) }), required: ["model"]),
            "RankRow": response(rankRowProps),
            "RankResult": response(["query": ["type": "object"], "ranked": list("RankRow"), "rejected": list("RankRow")]),
            "MeasurementList": ["type": "array", "items": response(["id": S.integer, "model": S.str, "gpu": S.str, "gpu_count": S.integer,
                                                                    "engine": S.str, "kind": S.str, "format": S.str, "settings": ["type": "object"],
                                                                    "figures": ["type": "object"], "source_sha256": S.str, "run_index": S.integer])],
            "MeasurementUpload": S.strict(["content": ["type": "string", "minLength": 1, "maxLength": EngineOutputs.maxBytes], "name": S.line(256),
                                           "model": S.modelName, "gpu": S.slug, "variant": S.slug, "gpus": S.int(1, 4096),
                                           "engine_version": ["type": "string", "maxLength": 64, "pattern": "^[A-Za-z0-9.+_-]{1,64}$"]],
                                          required: ["content"]),
            "CheckList": ["type": "array", "items": response(["key": S.str, "model": S.str, "gpu": S.str, "engine": S.str, "metric": S.str,
                                                              "measured": S.number, "predicted": S.number, "factor": S.number])],
            "CalibrationList": ["type": "array", "items": response(["engine": S.str, "gpu": S.str, "factor": S.number, "runs": S.integer])],
            "History": ["type": "array", "items": response(["id": S.integer, "at": S.str, "actor": S.str, "entity": S.str, "key": S.str, "action": S.str])],
            "TokenList": ["type": "array", "items": response(["name": S.str, "role": S.str, "prefix": S.str, "created_at": S.str, "revoked_at": S.str])],
            "TokenInput": S.strict(["name": ["type": "string", "pattern": "^[A-Za-z0-9_.@-]{1,64}$"], "role": S.enumeration(APIToken.Role.allCases.map(\.rawValue))],
                                   required: ["name", "role"]),
            "NewToken": response(["name": S.str, "role": S.str, "token": S.str]),
        ]
    }
}

/// JSON Schema fragments with the same limits the server enforces (`Limits`, `Model.validate`,
/// the number grammar), so the document and the server refuse the same requests.
enum S {
    static var str: [String: Any] { return ["type": "string"] }
    static var integer: [String: Any] { return ["type": "integer"] }
    static var number: [String: Any] { return ["type": "number"] }
    static var bool: [String: Any] { return ["type": "boolean"] }
    static var nullableString: [String: Any] { return ["type": "string", "nullable": true] }
    static var slug: [String: Any] { return ["type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$"] }
    /// A catalog slug or a Hugging Face repo id.
    /// A catalog slug or Hugging Face id, or hf:ORG/NAME[@REVISION][:QUANT] read from the Hub.
    static var modelName: [String: Any] { return ["type": "string", "pattern": "^[A-Za-z0-9._/:@-]{1,200}$"] }
    static func int(_ lo: Int, _ hi: Int) -> [String: Any] { ["type": "integer", "minimum": lo, "maximum": hi] }
    static func line(_ max: Int) -> [String: Any] { ["type": "string", "maxLength": max, "pattern": "^[^\\u0000-\\u001f\\u007f]*$"] }
    static func nonEmptyLine(_ max: Int) -> [String: Any] { ["type": "string", "maxLength": max, "pattern": "^[^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u0020\\u007f][^\\u0000-\\u001f\\u007f]*$"] }
    static func text(_ max: Int) -> [String: Any] { ["type": "string", "maxLength": max, "pattern": "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f]*$"] }
    static func words(_ count: Int, _ max: Int) -> [String: Any] { ["type": "array", "maxItems": count, "items": line(max)] }
    static func enumeration(_ values: [String]) -> [String: Any] { ["type": "string", "enum": values] }
    /// A request object: no other keys. An optional field may be null, which reads as absent,
    /// except the ones in `notNull`.
    static func strict(_ props: [String: Any], required: [String], notNull: Set<String> = []) -> [String: Any] {
        var p = props
        for (k, v) in props where !required.contains(k) && !notNull.contains(k) {
            if var o = v as? [String: Any], o["readOnly"] == nil, o["oneOf"] == nil {
                o["nullable"] = true
                // OpenAPI 3.0: an enum admits null only if it lists it.
                if let e = o["enum"] as? [Any] { o["enum"] = e + [NSNull()] }
                p[k] = o
            }
        }
        var o: [String: Any] = ["type": "object", "additionalProperties": false, "properties": p]
        if !required.isEmpty { o["required"] = required }  // OpenAPI 3.0: a required list is never empty
        return o
    }

    /// servefit's number grammar as a pattern, with an optional suffix.
    static func numberText(suffixes: String = "") -> [String: Any] {
        ["type": "string", "pattern": "^[0-9]{1,15}(\\.[0-9]{1,6})?\(suffixes.isEmpty ? "" : "(\(suffixes))")$"]
    }
    /// A byte size or a count: up to 15 digits bare (the grammar's limit, 10¹⁵), or up to 6 digits with a unit (never past 4 EiB).
    static func sized(_ units: String) -> [String: Any] {
        ["type": "string", "pattern": "^([0-9]{1,15}|[0-9]{1,6}(\\.[0-9]{1,6})?(\(units)))$"]
    }
    static var duration: [String: Any] { numberText(suffixes: "ms|s|us|min") }
    static var tokens: [String: Any] { return ["type": "string", "pattern": "^[0-9]{1,7}[kKmM]?$"] }
    static var tokenList: [String: Any] { return ["type": "string", "pattern": "^[0-9]{1,7}[kKmM]?(,[0-9]{1,7}[kKmM]?){0,31}$"] }
    static var slugList: [String: Any] { return ["type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}(,[A-Za-z0-9._-]{1,128}){0,63}$"] }
    static var boolText: [String: Any] { enumeration(["true", "false", "1", "0"]) }
    /// A vLLM release ("0.6.3", "v0.10.1", "0.11.0rc2") or "latest".
    static var engineVersion: [String: Any] { ["type": "string", "pattern": "^(latest|current|v?[0-9]{1,2}\\.[0-9]{1,3}(\\.[0-9]{1,4})?[A-Za-z0-9.+-]{0,20})$"] }

    static var query: [String: [String: Any]] { return [
        "limit": int(1, 10_000), "latest": boolText, "with-prices": boolText,
        "pricing-model": enumeration(PricingModel.allCases.map(\.rawValue)),
        "min-params": sized("[kKmMbBtT]"), "max-params": sized("[kKmMbBtT]"),
        "min-memory": sized("[kKmMgGtT]i?[bB]|[kKmMgGtT]|[bB]"), "min-bandwidth": ["type": "string", "pattern": "^[0-9]{1,6}(\\.[0-9]{1,6})?$"],
        "gpu": slugList, "model": modelName, "engine": enumeration(Engine.allCases.map(\.rawValue)),
        "counts": tokenList, "batch": tokenList, "input": tokens, "output": tokens, "context": tokens,
        "max-tpot": duration, "max-ttft": duration, "step-overhead": duration, "top": tokens, "max-gpus": tokens,
        "formats": ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}(,[A-Za-z0-9_-]{1,32}){0,15}$"],
        "kv-cache": ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}$"],
        "gpus": ["type": "string", "pattern": "^[1-9][0-9]{0,3}$"], "variant": slug, "name": line(256),
        "engine-version": engineVersion, "no-calibration": boolText, "explain": boolText, "attention-dp": boolText, "include-stale": boolText, "allow-long-context": boolText,
        "kind": enumeration(["serving", "throughput", "latency", "startup", "bench"]),
        "family": line(Limits.word), "type": enumeration(ModelKind.allCases.map(\.rawValue)), "tag": line(Limits.word),
        "vendor": line(Limits.word), "provider": line(Limits.name), "entity": line(Limits.word), "key": line(Limits.name),
    ] }

    /// A rank option in a JSON body: its query-string form, or a plain number where it is one.
    static func rankOption(_ name: String) -> [String: Any] {
        query[name] ?? numberText()
    }

    /// An option value of a saved scenario: a string (as on the command line) or a number.
    static var optionValue: [String: Any] { return ["oneOf": [line(Limits.optionValue), ["type": "number"]]] }

    static var model: [String: Any] {
        var props: [String: Any] = [
            "slug": slug, "name": line(Limits.name), "hf_repo": line(Limits.name),
            "hf_revision": line(Limits.name), "hf_commit": ["type": "string", "pattern": "^[0-9a-f]{40}$"], "model_type": nonEmptyLine(Limits.word),
            "kind": enumeration(ModelKind.allCases.map(\.rawValue)), "architectures": words(Limits.architectures, Limits.name),
            "hidden_act": line(Limits.word), "layer_types": words(4096, Limits.word), "license": line(Limits.name),
            "tags": words(Limits.tags, Limits.word), "owner": line(Limits.name), "notes": text(Limits.notes), "source": text(Limits.source),
            "stated_params": ["type": "integer", "minimum": 0], "mlp_only_layers": ["type": "array", "maxItems": 4096, "items": int(0, 4096)],
            "quantization_config": ["type": "object", "nullable": true, "additionalProperties": false, "required": ["quant_method"], "properties": [
                "quant_method": nonEmptyLine(64), "ignore": ["type": "array", "maxItems": 4096, "items": nonEmptyLine(256)],
                "weight_block_size": ["type": "array", "minItems": 2, "maxItems": 2, "items": int(1, 65_536)],
                "format": ["type": "string", "nullable": true, "pattern": "^[A-Za-z0-9_-]{1,32}$"],
            ] as [String: Any]],
            "created_at": str, "updated_at": str,
            "params_total": ["type": "integer", "nullable": true, "readOnly": true],
            "params_active": ["type": "integer", "nullable": true, "readOnly": true],
            "params_mtp": ["type": "integer", "readOnly": true], "params_vision": ["type": "integer", "readOnly": true],
        ]
        for k in ["tie_word_embeddings", "attention_bias", "use_sliding_window", "new_decoder_architecture", "multi_query", "parallel_attn", "bias"] {
            props[k] = bool
        }
        for k in ["num_hidden_layers", "encoder_layers", "decoder_layers", "vision_num_layers"] { props[k] = int(1, 4096) }
        for k in Model.knownFields where props[k] == nil { props[k] = int(0, 1 << 24) }
        return strict(props, required: ["slug", "model_type"])
    }

    static var gpu: [String: Any] {
        let rate: [String: Any] = ["type": "number", "minimum": GPU.minRate, "maximum": GPU.maxRate]
        let tf = strict(Dictionary(uniqueKeysWithValues: TFLOPS.keys.map { ($0, rate) }), required: [])
        return strict([
                    "slug": slug, "vendor": nonEmptyLine(Limits.word), "name": nonEmptyLine(Limits.name), "form_factor": line(Limits.name),
                    "memory_bytes": int(1, 64 << 40), "memory_type": line(Limits.word),
                    "bandwidth_gb_per_s": rate,
                    "tflops": tf,
                    "tdp_w": int(1, 100_000), "interconnect": line(Limits.name),
                    "interconnect_gb_per_s": rate,
                    "launch_year": int(1990, 2100), "source": text(Limits.source), "notes": text(Limits.notes),
                    "architecture": nonEmptyLine(Limits.word),
                    "compute_capability": ["type": "string", "pattern": "^(sm_([1-9][0-9]|1[0-9][0-9]|200)|gfx[0-9a-f]{2,5}|gaudi[23])$"],
                ], required: ["slug", "vendor", "name", "memory_bytes", "bandwidth_gb_per_s", "tflops"])
    }

    static var price: [String: Any] {
        strict([
            "id": ["type": "integer", "readOnly": true], "gpu": slug, "provider": nonEmptyLine(Limits.name), "instance": line(Limits.name),
            "region": line(Limits.word), "pricing_model": enumeration(PricingModel.allCases.map(\.rawValue)),
            "usd_per_gpu_hour": ["type": "number", "minimum": Price.minUSD, "maximum": Price.maxUSD],
            "as_of": ["type": "string", "format": "date", "pattern": "^(199[0-9]|20[0-9][0-9]|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"],
            "source": ["type": "string", "maxLength": Limits.source, "pattern": "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f]*[^\\u0000-\\u0020\\u007f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f]*$"],
            "gpus_per_instance": int(1, Price.maxGPUsPerInstance),
            "link": enumeration(InstanceLink.allCases.map(\.rawValue)),
            "shape_assumed": bool,
            "stale": ["type": "boolean", "readOnly": true],
         ], required: ["gpu", "provider", "usd_per_gpu_hour", "as_of", "source"])
    }

    static var estimateSpec: [String: Any] {
        let props: [String: Any] = [
            "model": modelName, "weights": line(32), "kv_cache": line(32), "engine": enumeration(Engine.allCases.map(\.rawValue)),
            "context": int(1, 16_777_216), "batch": int(1, 1_048_576), "gpu": slug, "gpu_memory": sized("[kKmMgGtT]i?[bB]|[kKmMgGtT]|[bB]"),
            "gpus": int(1, 4096), "tensor_parallel": int(1, 1024), "pipeline_parallel": int(1, 1024), "attention_dp": int(1, 1024),
            "gpu_memory_utilization": ["type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 1],
            "max_num_batched_tokens": int(1, 16_777_216), "enforce_eager": bool, "no_flash_attention": bool,
            "encoder_tokens": int(1, 16_777_216), "train": line(32), "lora_rank": int(1, 65_536), "lora_targets": line(512),
            "zero": int(0, 3), "gradient_checkpointing": bool, "variant": slug, "allow_long_context": bool,
            "max_num_seqs": int(1, 65_536), "engine_version": engineVersion,
        ]
        return strict(props, required: ["model"])
    }
}

/// The query parameters' schemas (`S.query`) enforced by the server itself, so a value the
/// document refuses is refused here too: enum, pattern, maxLength, integer range.
enum QueryCheck {
    struct Rule {
        var values: [String]?
        var pattern: NSRegularExpression?
        var maxLength: Int?
        var range: ClosedRange<Int>?
    }

    nonisolated(unsafe) static let rules: [String: Rule] = {
        var out: [String: Rule] = [:]
        for (name, schema) in S.query {
            var r = Rule()
            r.values = schema["enum"] as? [String]
            r.pattern = (schema["pattern"] as? String).flatMap { try? NSRegularExpression(pattern: $0) }
            r.maxLength = schema["maxLength"] as? Int
            if schema["type"] as? String == "integer", let lo = schema["minimum"] as? Int, let hi = schema["maximum"] as? Int { r.range = lo...hi }
            out[name] = r
        }
        return out
    }()

    static func check(_ q: [String: String]) throws {
        for (name, value) in q {
            guard let r = rules[name] else { continue }
            func bad(_ why: String) -> ServerError { .badRequest("query parameter '\(name)' \(why) (got '\(value.prefix(64))')") }
            if let vs = r.values, !vs.contains(value) { throw bad("must be one of \(vs.joined(separator: ", "))") }
            if let m = r.maxLength, value.count > m { throw bad("is longer than \(m) characters") }
            if let range = r.range {
                guard value.allSatisfy(\.isASCII), let v = Int(value), range.contains(v) else { throw bad("must be a whole number from \(range.lowerBound) to \(range.upperBound)") }
            }
            if let p = r.pattern {
                let ns = value as NSString
                guard p.firstMatch(in: value, range: NSRange(location: 0, length: ns.length)) != nil else { throw bad("is not of the documented form") }
            }
        }
    }
}
