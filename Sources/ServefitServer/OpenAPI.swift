import Foundation

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
                params.append(["name": String(seg.dropFirst().dropLast()), "in": "path", "required": true, "schema": ["type": "string"]])
            }
            for q in r.query {
                params.append(["name": q, "in": "query", "required": q == "model" && r.path == "/v1/rank", "schema": ["type": "string"]])
            }
            if !params.isEmpty { op["parameters"] = params }
            if let b = r.body {
                op["requestBody"] = ["required": true, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(b)"]]]]
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
                     "description": "Which GPU, how many, at what precision, and what a million tokens cost. JSON objects are the CLI's --format json objects."],
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
        var out = [("400", "bad input"), ("401", "missing, unknown or revoked token")]
        if API.roleNeeded(method: r.method, path: r.path, requireTokenForReads: false) != nil { out.append(("403", "the token's role is not enough")) }
        if r.path.contains("{") { out.append(("404", "no such entry")) }
        if r.method == .post || r.method == .put || r.method == .delete { out.append(("409", "conflict: duplicate key, stale If-Match ETag, or still in use")) }
        if r.body != nil { out.append(("413", "body too large")) }
        return out
    }

    static func object(_ props: [String: String], required: [String] = []) -> [String: Any] {
        var o: [String: Any] = ["type": "object", "additionalProperties": true,
                                "properties": props.mapValues { t -> [String: Any] in
                                    t.hasPrefix("[") ? ["type": "array", "items": ["type": String(t.dropFirst().dropLast())]] : ["type": t]
                                }]
        if !required.isEmpty { o["required"] = required }
        return o
    }

    static func list(_ item: String) -> [String: Any] { ["type": "array", "items": ["$ref": "#/components/schemas/\(item)"]] }

    static let rankRowProps: [String: String] = [
        "model": "string", "gpu": "string", "gpu_name": "string", "gpu_count": "integer", "tensor_parallel": "integer",
        "weights": "string", "kv_cache": "string", "engine": "string", "batch": "integer", "context": "integer",
        "per_gpu_bytes": "integer", "ttft_ms": "number", "tpot_ms": "number", "throughput_tokens_per_s": "number",
        "provider": "string", "usd_per_gpu_hour": "number", "usd_per_million_tokens": "number",
        "usd_per_million_tokens_blended": "number", "rejected_reason": "string",
    ]

    static var schemas: [String: Any] {
        [
            "Error": object(["error": "string", "detail": "string"], required: ["error", "detail"]),
            "Health": object(["status": "string", "models": "integer", "gpus": "integer", "prices": "integer", "scenarios": "integer"]),
            "Model": object(["slug": "string", "name": "string", "hf_repo": "string", "model_type": "string", "kind": "string",
                             "hidden_size": "integer", "num_hidden_layers": "integer", "num_attention_heads": "integer",
                             "num_key_value_heads": "integer", "vocab_size": "integer", "params_total": "integer", "params_active": "integer"],
                            required: ["slug", "model_type"]),
            "ModelList": list("Model"),
            "VariantList": ["type": "array", "items": object(["model": "string", "name": "string", "format": "string", "quantization": "string",
                                                              "weights_bytes": "integer", "params_total": "integer", "bits_per_weight": "number"])],
            "GPU": object(["slug": "string", "vendor": "string", "name": "string", "memory_bytes": "integer",
                           "bandwidth_gb_per_s": "number", "tflops": "object", "interconnect_gb_per_s": "number"],
                          required: ["slug", "vendor", "name", "memory_bytes", "bandwidth_gb_per_s", "tflops"]),
            "GPUList": list("GPU"),
            "Price": object(["id": "integer", "gpu": "string", "provider": "string", "pricing_model": "string",
                             "usd_per_gpu_hour": "number", "as_of": "string", "source": "string", "instance": "string", "region": "string"],
                            required: ["gpu", "provider", "pricing_model", "usd_per_gpu_hour", "as_of", "source"]),
            "PriceList": list("Price"),
            "Scenario": object(["name": "string", "model": "string", "options": "object", "result": "string", "notes": "string"]),
            "ScenarioList": list("Scenario"),
            "ScenarioInput": object(["name": "string", "model": "string", "options": "object", "notes": "string"], required: ["name", "model"]),
            "ScenarioRun": object(["scenario": "string", "query": "object", "best": "object", "saved": "object", "changes": "[string]", "result": "object"]),
            "EstimateSpec": object(Dictionary(uniqueKeysWithValues: EstimateSpecFields.all), required: ["model"]),
            "Estimate": object(["model": "string", "params_total": "integer", "weights_bytes": "integer", "kv_cache_bytes": "integer",
                                "total_bytes": "integer", "per_gpu_bytes": "integer", "fits": "boolean", "components": "[object]"]),
            "RankOptions": object(Dictionary(uniqueKeysWithValues: RankQueryFields.all), required: ["model"]),
            "RankRow": object(rankRowProps),
            "RankResult": ["type": "object", "properties": ["query": ["type": "object"], "ranked": list("RankRow"), "rejected": list("RankRow")]],
            "History": ["type": "array", "items": object(["id": "integer", "at": "string", "actor": "string", "entity": "string", "key": "string", "action": "string"])],
            "TokenList": ["type": "array", "items": object(["name": "string", "role": "string", "prefix": "string", "created_at": "string", "revoked_at": "string"])],
            "TokenInput": object(["name": "string", "role": "string"], required: ["name", "role"]),
            "NewToken": object(["name": "string", "role": "string", "token": "string"]),
        ]
    }
}

import ServefitCore

enum EstimateSpecFields {
    static var all: [(String, String)] {
        let ints: Set = ["context", "batch", "gpus", "tensor_parallel", "pipeline_parallel", "max_num_batched_tokens", "encoder_tokens", "lora_rank", "zero"]
        let bools: Set = ["enforce_eager", "no_flash_attention", "gradient_checkpointing"]
        return EstimateSpec.fieldNames.map { ($0, ints.contains($0) ? "integer" : bools.contains($0) ? "boolean" : $0 == "gpu_memory_utilization" ? "number" : "string") }
    }
}

enum RankQueryFields {
    static var all: [(String, String)] { RankQuery.optionNames.map { ($0, "string") } }
}
