import Foundation
import Testing

/// Speaks JSON-RPC (newline-delimited, MCP's stdio transport) to a real `servefit mcp`.
final class MCPSession {
    let process = Process()
    let input = Pipe(), output = Pipe()
    var buffer = Data()
    var nextID = 1

    init(db: String, args: [String] = [], env extra: [String: String] = [:]) throws {
        process.executableURL = try servefitBinary()
        process.arguments = ["mcp", "--db", db] + args
        var env = ProcessInfo.processInfo.environment
        env.merge(extra) { _, b in b }
        env["SERVEFIT_TODAY"] = "2026-12-01"
        process.environment = env
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A server that stops answering must fail the test, not hang it.
        let p = process
        DispatchQueue.global().asyncAfter(deadline: .now() + 120) { if p.isRunning { p.terminate() } }
    }

    func send(_ message: [String: Any]) throws {
        var data = try JSONSerialization.data(withJSONObject: message)
        data.append(0x0a)
        input.fileHandleForWriting.write(data)
    }

    /// The response to a request (skipping any notification the server sends).
    func request(_ method: String, _ params: [String: Any] = [:]) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        try send(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        while true {
            while let nl = buffer.firstIndex(of: 0x0a) {
                let line = buffer[buffer.startIndex..<nl]
                buffer.removeSubrange(buffer.startIndex...nl)
                guard let obj = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
                if obj["id"] as? Int == id { return obj }
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw CLIError("servefit mcp closed its output before answering \(method)") }
            buffer.append(chunk)
        }
    }

    /// A tool call: the result's text parts (summary, JSON) and whether it is an error.
    func call(_ tool: String, _ args: [String: Any]) throws -> (texts: [String], isError: Bool) {
        let r = try request("tools/call", ["name": tool, "arguments": args])
        let result = r["result"] as? [String: Any] ?? [:]
        let texts = (result["content"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        return (texts, result["isError"] as? Bool ?? false)
    }

    func close() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

@Test func mcpServerAnswersLikeTheCLI() throws {
    let db = try tempDB()
    #expect(try sf(["gpu", "list"], db: db).code == 0)  // creates and seeds the catalog
    let s = try MCPSession(db: db)
    defer { s.close() }
    let hello = try s.request("initialize", ["protocolVersion": "2025-06-18", "capabilities": [String: Any](), "clientInfo": ["name": "test", "version": "1"]])
    #expect((hello["result"] as? [String: Any])?["serverInfo"] != nil, "\(hello)")
    try s.send(["jsonrpc": "2.0", "method": "notifications/initialized"])

    let list = try s.request("tools/list")
    let tools = (list["result"] as? [String: Any])?["tools"] as? [[String: Any]] ?? []
    let names = Set(tools.compactMap { $0["name"] as? String })
    #expect(names == ["estimate", "rank", "best_gpu", "compare", "model_search", "model_show", "gpu_list", "price_list", "inspect"])
    #expect(tools.allSatisfy { ($0["inputSchema"] as? [String: Any])?["type"] as? String == "object" })

    // estimate: the same JSON as `servefit estimate --format json`.
    let e = try s.call("estimate", ["model": "llama-3.1-8b-instruct", "gpu": "h100-sxm", "weights": "fp8", "context": 8192])
    #expect(!e.isError && e.texts.count == 2, "\(e.texts)")
    let mcpEstimate = try #require(try json(e.texts[1]) as? [String: Any])
    let cli = try sf(["estimate", "--model", "llama-3.1-8b-instruct", "--gpu", "h100-sxm", "--weights", "fp8", "--context", "8192", "--format", "json"], db: db)
    let cliEstimate = try #require(try json(cli.out) as? [String: Any])
    for k in ["per_gpu_bytes", "kv_capacity_tokens", "max_concurrency", "launch", "fits"] {
        #expect("\(mcpEstimate[k] ?? "nil")" == "\(cliEstimate[k] ?? "nil")", "estimate \(k)")
    }
    // rank and best_gpu: the CLI's rows.
    let r = try s.call("rank", ["model": "llama-3.1-8b-instruct", "max_tpot": "50ms", "top": 5])
    #expect(!r.isError, "\(r.texts)")
    let ranked = try #require((try json(r.texts[1]) as? [String: Any])?["ranked"] as? [[String: Any]])
    let cliRank = try #require(try json(try sf(["rank", "--model", "llama-3.1-8b-instruct", "--max-tpot", "50ms", "--top", "5", "--format", "json"], db: db).out) as? [[String: Any]])
    #expect(ranked.map { "\($0["gpu"]!) \($0["gpu_count"]!) \($0["weights"]!)" } == cliRank.map { "\($0["gpu"]!) \($0["gpu_count"]!) \($0["weights"]!)" })
    let best = try s.call("best_gpu", ["model": "llama-3.3-70b-instruct"])
    #expect(!best.isError && best.texts[0].contains("launch: vllm serve"), "\(best.texts)")
    let cmp = try s.call("compare", ["models": "llama-3.1-8b-instruct,qwen3-8b", "gpu": "h100-sxm,l4"])
    let cmpRows = try json(cmp.texts.last ?? "[]") as? [Any]
    #expect(!cmp.isError && (cmpRows?.count ?? 0) >= 4, "\(cmp.texts)")
    #expect(try s.call("model_search", ["text": "qwen3"]).texts[0].contains("qwen3-8b"))
    #expect(try s.call("model_show", ["model": "Qwen/Qwen3-8B"]).texts[0].hasPrefix("qwen3-8b"))
    #expect(try s.call("gpu_list", ["vendor": "AMD"]).texts[0].contains("GPU(s)"))
    #expect(!(try s.call("price_list", ["gpu": "h100-sxm", "latest": true]).isError))

    // inspect reads a local checkpoint's headers, as `servefit inspect --format json` does.
    let tiny = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ServefitCoreTests/Fixtures/tiny-llama-fp16").path
    let ins = try s.call("inspect", ["path": tiny])
    #expect(!ins.isError, "\(ins.texts)")
    let cliInspect = try #require(try json(try sf(["inspect", tiny, "--format", "json"], db: db).out) as? [String: Any])
    let mcpInspect = try #require(try json(ins.texts.last ?? "{}") as? [String: Any])
    #expect("\(mcpInspect["weights_bytes"] ?? "-")" == "\(cliInspect["weights_bytes"] ?? "+")" && mcpInspect["tensor_count"] != nil)
    #expect(try s.call("inspect", ["path": "/no/such/checkpoint"]).texts[0].contains("no such file"))

    // Bad arguments are tool errors with the CLI's one-line messages, and the server carries on.
    let typo = try s.call("estimate", ["model": "llama-3.1-8b-instruct", "contxt": 8192])
    #expect(typo.isError && typo.texts[0].contains("context"), "\(typo.texts)")
    let unknown = try s.call("model_show", ["model": "llama-2-7bb"])
    #expect(unknown.isError && unknown.texts[0].contains("llama-2-7b"), "\(unknown.texts)")
    let badTime = try s.call("rank", ["model": "llama-3.1-8b-instruct", "max_tpot": "50"])
    #expect(badTime.isError && badTime.texts[0].contains("ms"), "\(badTime.texts)")
    // Writes are refused without --allow-writes.
    let write = try s.call("price_add", ["gpu": "h100-sxm", "provider": "X", "usd_per_gpu_hour": 1.5, "as_of": "2026-11-30", "source": "t"])
    #expect(write.isError && write.texts[0].contains("--allow-writes"), "\(write.texts)")
    let res = try s.request("resources/read", ["uri": "servefit://gpus"])
    #expect(((res["result"] as? [String: Any])?["contents"] as? [Any])?.count == 1)
}

@Test func mcpWritesWithAllowWritesAreLogged() throws {
    let db = try tempDB()
    #expect(try sf(["gpu", "list"], db: db).code == 0)  // creates and seeds the catalog
    let s = try MCPSession(db: db, args: ["--allow-writes"])
    _ = try s.request("initialize", ["protocolVersion": "2025-06-18", "capabilities": [String: Any](), "clientInfo": ["name": "test", "version": "1"]])
    try s.send(["jsonrpc": "2.0", "method": "notifications/initialized"])
    let w = try s.call("price_add", ["gpu": "h100-sxm", "provider": "McpCloud", "usd_per_gpu_hour": 1.5, "as_of": "2026-11-30", "source": "agent"])
    #expect(!w.isError, "\(w.texts)")
    let sc = try s.call("scenario_save", ["name": "agent-8b", "model": "llama-3.1-8b-instruct", "options": ["max_tpot": "50ms"]])
    #expect(!sc.isError, "\(sc.texts)")
    s.close()
    let h = try sf(["history", "--format", "json"], db: db)
    let entries = try #require(try json(h.out) as? [[String: Any]])
    #expect(entries.filter { $0["actor"] as? String == "mcp" }.count == 2)
}
