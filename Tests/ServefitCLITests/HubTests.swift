import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The Hugging Face Hub, as servefit reads it: a real HTTP server on 127.0.0.1 laid out like the
/// Hub (Tests/HubFixtureServer: model info, paged file listings, resolve with 302 to a CDN path,
/// Range, X-Repo-Commit, gated repos, 429) serving the reference writers' fixtures, and a
/// folder laid out the way huggingface_hub lays out its cache.

let commitA = "0123456789abcdef0123456789abcdef01234567"
let commitB = "89abcdef0123456789abcdef0123456789abcdef"
let commitL = "0e9e39f249a16976918f6564b8830bc894c89659"

/// A running fixture Hub: its root folder, its URL, and the process (stopped with `stop()`).
final class FixtureHub: @unchecked Sendable {
    let root: String
    let url: String
    let process: Process

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sf-hub-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FixtureHub.layOut(root)
        let bin = try servefitBinary().deletingLastPathComponent().appendingPathComponent("hub-fixture-server")
        process = Process()
        process.executableURL = bin
        process.arguments = [root]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = firstLine(of: out)
        guard let port = text.split(whereSeparator: \.isWhitespace).last.flatMap({ Int($0) }) else { throw CLIError("fixture hub did not start: \(text)") }
        url = "http://127.0.0.1:\(port)"
    }

    /// SIGKILL: a graceful stop would wait out the stalled answer of org/Stalls.
    func stop() { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

    static func repo(_ root: String, _ name: String, commit: String, files: [String: String], meta: [String: Any] = [:]) throws {
        let dir = root + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (to, from) in files { try FileManager.default.createSymbolicLink(atPath: dir + "/" + to, withDestinationPath: from) }
        var m = meta
        m["commit"] = commit
        try JSONSerialization.data(withJSONObject: m).write(to: URL(fileURLWithPath: dir + "/.hub.json"))
    }

    static func layOut(_ root: String) throws {
        let f = fixtureDir
        let sharded = ["config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
        try repo(root, "meta-llama/Tiny-Llama", commit: commitA,
                 files: Dictionary(uniqueKeysWithValues: sharded.map { ($0, f + "/tiny-llama-bf16-sharded/" + $0) }))
        let gguf = ["tiny-llama-q8_0.gguf": f + "/tiny-llama-q8_0.gguf", "tiny-llama-q4_0.gguf": f + "/tiny-llama-q4_0.gguf"]
        try repo(root, "TheBloke/Tiny-GGUF", commit: commitB, files: gguf)
        try repo(root, "Qwen/Qwen2.5-7B-Instruct-GGUF", commit: commitB, files: gguf)
        try repo(root, "org/Mixed-GGUF", commit: commitB,
                 files: ["tiny-llama-q8_0.gguf": f + "/tiny-llama-q8_0.gguf", "tiny-llama-q4_k_m.gguf": f + "/tiny-llama-q4_k_m.gguf"])
        let fp16 = ["config.json": f + "/tiny-llama-fp16/config.json", "model.safetensors": f + "/tiny-llama-fp16/model.safetensors"]
        try repo(root, "org/Gated", commit: commitA, files: fp16, meta: ["token": "hf_test_token"])
        try repo(root, "org/Busy", commit: commitA, files: fp16, meta: ["rate_limit_once": true])
        try repo(root, "org/Ignores-Range", commit: commitA, files: fp16, meta: ["hostile": "ignore-range"])
        try repo(root, "org/Huge-Length", commit: commitA, files: fp16, meta: ["hostile": "huge-length"])
        try repo(root, "org/Stalls", commit: commitA, files: fp16, meta: ["hostile": "stall"])
        try repo(root, "org/Short-Range", commit: commitA, files: fp16, meta: ["hostile": "short-range"])
        // A header whose length runs past the end of its file.
        try repo(root, "org/Bad-Header", commit: commitA, files: ["config.json": f + "/tiny-llama-fp16/config.json"])
        var bad = Data([0x40, 0x42, 0x0F, 0, 0, 0, 0, 0])  // 1,000,000
        bad += Data("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}".utf8)
        try bad.write(to: URL(fileURLWithPath: root + "/org/Bad-Header/model.safetensors"))
        try llama31(root + "/meta-llama/Llama-3.1-8B-Instruct")
    }

    /// meta-llama/Llama-3.1-8B-Instruct as the Hub holds it: its config.json, four bf16 shards
    /// with the real tensor names and shapes, and the index. The shards are sparse files (header,
    /// then a hole as long as the weights): servefit must size them from the headers alone.
    static func llama31(_ dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = #"{"architectures":["LlamaForCausalLM"],"attention_bias":false,"attention_dropout":0.0,"bos_token_id":128000,"eos_token_id":[128001,128008,128009],"hidden_act":"silu","hidden_size":4096,"initializer_range":0.02,"intermediate_size":14336,"max_position_embeddings":131072,"mlp_bias":false,"model_type":"llama","num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":8,"pretraining_tp":1,"rms_norm_eps":1e-05,"rope_scaling":{"factor":8.0,"high_freq_factor":4.0,"low_freq_factor":1.0,"original_max_position_embeddings":8192,"rope_type":"llama3"},"rope_theta":500000.0,"tie_word_embeddings":false,"torch_dtype":"bfloat16","transformers_version":"4.43.0.dev0","use_cache":true,"vocab_size":128256}"#
        try Data(config.utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        var layers: [[(String, [Int])]] = []
        for i in 0..<32 {
            let p = "model.layers.\(i)."
            layers.append([(p + "input_layernorm.weight", [4096]), (p + "mlp.down_proj.weight", [4096, 14336]),
                           (p + "mlp.gate_proj.weight", [14336, 4096]), (p + "mlp.up_proj.weight", [14336, 4096]),
                           (p + "post_attention_layernorm.weight", [4096]), (p + "self_attn.k_proj.weight", [1024, 4096]),
                           (p + "self_attn.o_proj.weight", [4096, 4096]), (p + "self_attn.q_proj.weight", [4096, 4096]),
                           (p + "self_attn.v_proj.weight", [1024, 4096])])
        }
        let shards: [[(String, [Int])]] = [
            [("model.embed_tokens.weight", [128256, 4096])] + layers[0..<9].flatMap { $0 },
            layers[9..<20].flatMap { $0 },
            layers[20..<31].flatMap { $0 },
            layers[31] + [("model.norm.weight", [4096]), ("lm_head.weight", [128256, 4096])],
        ]
        var map: [String: String] = [:]
        var total = 0
        for (n, tensors) in shards.enumerated() {
            let name = "model-0000\(n + 1)-of-00004.safetensors"
            var header: [String: Any] = ["__metadata__": ["format": "pt"]]
            var offset = 0
            for (t, shape) in tensors {
                let bytes = shape.reduce(2, *)
                header[t] = ["dtype": "BF16", "shape": shape, "data_offsets": [offset, offset + bytes]]
                offset += bytes
                map[t] = name
            }
            total += offset
            var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
            while json.count % 8 != 0 { json.append(0x20) }
            var length = UInt64(json.count).littleEndian
            var file = Data(bytes: &length, count: 8)
            file += json
            let path = dir + "/" + name
            FileManager.default.createFile(atPath: path, contents: file)
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try h.truncate(atOffset: UInt64(file.count + offset))
            try h.close()
        }
        let index: [String: Any] = ["metadata": ["total_size": total], "weight_map": map]
        try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys]).write(to: URL(fileURLWithPath: dir + "/model.safetensors.index.json"))
        try JSONSerialization.data(withJSONObject: ["commit": commitL]).write(to: URL(fileURLWithPath: dir + "/.hub.json"))
    }

    /// Byte ranges the server sent of each weights file, and the file sizes: nothing of the
    /// weights may be read beyond the headers.
    func weightsBytesServed() throws -> [(file: String, last: Int, size: Int)] {
        guard let text = try? String(contentsOfFile: root + "/.served.log", encoding: .utf8) else { return [] }
        var last: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let b = parts[1].split(separator: "-").last.flatMap({ Int($0) }) else { continue }
            let f = String(parts[0])
            guard f.hasSuffix(".safetensors") || f.hasSuffix(".gguf") else { continue }
            last[f] = max(last[f] ?? 0, b)
        }
        return try last.map { f, b in
            let real = URL(fileURLWithPath: root + "/" + f).resolvingSymlinksInPath().path
            let size = try (FileManager.default.attributesOfItem(atPath: real)[.size] as? NSNumber)?.intValue ?? 0
            return (f, b, size)
        }
    }
}

/// Runs servefit with the Hub pointed at the fixture server and an empty cache.
func hf(_ args: [String], db: String, hub: FixtureHub, env extra: [String: String] = [:]) throws -> CLIResult {
    var env = ["HF_ENDPOINT": hub.url, "HF_HUB_CACHE": hub.root + "/.no-cache", "HF_HOME": hub.root + "/.hf-home",
               "HF_TOKEN": "", "HF_HUB_OFFLINE": "", "HF_HUB_DOWNLOAD_TIMEOUT": "2"]
    env.merge(extra) { _, b in b }
    return try sfEnv(args, db: db, env: env)
}

@Test func hubReposReadByRangeMatchTheLocalFiles() throws {
    let hub = try FixtureHub()
    defer { hub.stop() }
    let db = try tempDB()
    // A sharded safetensors repo: the same inventory as the folder on disk, pinned to its commit.
    let remote = try hf(["inspect", "hf:meta-llama/Tiny-Llama", "--format", "json"], db: db, hub: hub)
    #expect(remote.code == 0, "\(remote.err)")
    let r = try #require(try json(remote.out) as? [String: Any])
    #expect(r["commit"] as? String == commitA && r["source"] as? String == "hub")
    let read = try #require((r["read"] as? [[String: Any]])?.first?["inventory"] as? [String: Any])
    let local = try #require(try json(try sf(["inspect", fixtureDir + "/tiny-llama-bf16-sharded", "--format", "json"], db: db).out) as? [String: Any])
    for k in ["params_total", "weights_bytes", "tensor_count", "quantization"] {
        #expect("\(read[k] ?? "-")" == "\(local[k] ?? "+")", "\(k)")
    }
    #expect(read["params_total"] as? Int == 106_816)

    // A GGUF repo lists every quantisation with its exact bytes (expected.json: the writer's own count).
    let g = try hf(["inspect", "hf:TheBloke/Tiny-GGUF", "--format", "json"], db: db, hub: hub)
    #expect(g.code == 0, "\(g.err)")
    let ckpts = try #require((try json(g.out) as? [String: Any])?["read"] as? [[String: Any]])
    let bytes = Dictionary(uniqueKeysWithValues: ckpts.compactMap { c -> (String, Int)? in
        guard let name = (c["checkpoint"] as? [String: Any])?["name"] as? String, let b = (c["inventory"] as? [String: Any])?["weights_bytes"] as? Int else { return nil }
        return (name, b)
    })
    let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixtureDir + "/expected.json"))) as? [String: [String: Any]])
    #expect(bytes["Q8_0"] == expected["tiny-llama-q8_0.gguf"]?["weights_bytes"] as? Int)
    #expect(bytes["Q4_0"] == expected["tiny-llama-q4_0.gguf"]?["weights_bytes"] as? Int)
    let table = try hf(["inspect", "hf:TheBloke/Tiny-GGUF"], db: db, hub: hub)
    #expect(table.out.contains("Q4_0") && table.out.contains("Q8_0") && table.out.contains(commitB))

    // Estimate sizes the checkpoint with its exact bytes; :QUANT picks a GGUF file.
    let e = try #require(try json(try hf(["estimate", "--model", "hf:meta-llama/Tiny-Llama", "--gpu", "h100-sxm", "--format", "json"], db: db, hub: hub).out) as? [String: Any])
    #expect(e["weights_bytes"] as? Int == 213_632)
    let q = try #require(try json(try hf(["estimate", "--model", "hf:TheBloke/Tiny-GGUF:Q8_0", "--engine", "llama.cpp", "--format", "json"], db: db, hub: hub).out) as? [String: Any])
    #expect(q["weights_bytes"] as? Int == expected["tiny-llama-q8_0.gguf"]?["weights_bytes"] as? Int && q["weights"] as? String == "Q8_0")
    let missing = try hf(["estimate", "--model", "hf:TheBloke/Tiny-GGUF:Q5_K_M", "--engine", "llama.cpp"], db: db, hub: hub)
    #expect(missing.code == 64 && missing.err.contains("Q4_0") && missing.err.contains("Q8_0"))
    // Rank and compare take a Hub model beside the catalog's.
    let rank = try hf(["rank", "--model", "hf:meta-llama/Tiny-Llama", "--gpu", "l4", "--top", "1", "--format", "json"], db: db, hub: hub)
    #expect(rank.code == 0, "\(rank.err)")
    #expect((try json(rank.out) as? [[String: Any]])?.first?["model"] as? String == "tiny-llama")
    let cmp = try hf(["compare", "--model", "hf:meta-llama/Tiny-Llama,llama-3.1-8b-instruct", "--gpu", "l4", "--format", "json"], db: db, hub: hub)
    #expect(cmp.code == 0 && cmp.out.contains("tiny-llama") && cmp.out.contains("llama-3.1-8b-instruct"), "\(cmp.err)")

    // Nothing of the weights was read: every weights file was read only up to its header.
    let served = try hub.weightsBytesServed()
    #expect(served.count >= 4)
    for s in served { #expect(s.last + 1 < s.size, "\(s.file): read \(s.last + 1) of \(s.size) bytes") }
}

@Test func realShapesOfAMultiGigabyteRepoAreSizedFromHeadersAlone() throws {
    let hub = try FixtureHub()
    defer { hub.stop() }
    let db = try tempDB()
    // Llama-3.1-8B: 8,030,261,248 parameters and total_size 16,060,522,496 bytes in the Hub's
    // model.safetensors.index.json (meta-llama/Llama-3.1-8B-Instruct).
    let e = try hf(["estimate", "--model", "hf:meta-llama/Llama-3.1-8B-Instruct", "--gpu", "h100-sxm", "--format", "json"], db: db, hub: hub)
    #expect(e.code == 0, "\(e.err)")
    let o = try #require(try json(e.out) as? [String: Any])
    #expect(o["params_total"] as? Int == 8_030_261_248)
    #expect(o["weights_bytes"] as? Int == 16_060_522_496)
    let i = try hf(["inspect", "hf:meta-llama/Llama-3.1-8B-Instruct"], db: db, hub: hub)
    #expect(i.code == 0 && i.out.contains("8030261248") && i.out.contains("header and architecture agree"), "\(i.out)\(i.err)")
    for s in try hub.weightsBytesServed() { #expect(s.last < 200_000, "\(s.file): read \(s.last + 1) bytes of \(s.size)") }

    // The README's Hub examples run against this server.
    let readme = try String(contentsOf: repoRootURL().appendingPathComponent("README.md"), encoding: .utf8)
    let examples = exampleCommands(readme, codeBlocksOnly: true).filter { $0.contains { $0.hasPrefix("hf:") } }
    #expect(examples.count >= 3)
    for args in examples {
        let r = try hf(args, db: db, hub: hub)
        #expect(r.code == 0, "servefit \(args.joined(separator: " ")): \(r.err)")
    }
}

@Test func importStoresTheRepoAndItsCheckpointsAllOrNothing() throws {
    let hub = try FixtureHub()
    defer { hub.stop() }
    let db = try tempDB()
    let imp = try hf(["model", "import", "hf:TheBloke/Tiny-GGUF", "--slug", "tiny-gguf", "--variants"], db: db, hub: hub)
    #expect(imp.code == 0, "\(imp.err)")
    let m = try #require(try json(try sf(["model", "show", "tiny-gguf", "--format", "json"], db: db).out) as? [String: Any])
    #expect(m["hf_repo"] as? String == "TheBloke/Tiny-GGUF" && m["hf_commit"] as? String == commitB && m["hf_revision"] as? String == "main")
    let v = try #require(try json(try sf(["estimate", "--model", "tiny-gguf", "--variant", "Q4_0", "--engine", "llama.cpp", "--format", "json"], db: db).out) as? [String: Any])
    #expect(v["weights"] as? String == "Q4_0")
    // Export carries the variants, and they come back on import into another catalog.
    let doc = tempFolder() + "/export.json"
    #expect(try sf(["export", "-o", doc], db: db).code == 0)
    let other = try tempDB()
    let back = try sf(["import", doc, "--format", "json"], db: other)
    #expect(back.code == 0, "\(back.err)")
    #expect((try json(back.out) as? [String: Any]).flatMap { ($0["added"] as? [String: Int])?["variants"] } == 2)
    #expect(try sf(["estimate", "--model", "tiny-gguf", "--variant", "Q8_0", "--engine", "llama.cpp"], db: other).code == 0)
    #expect(try (json(try sf(["import", doc, "--format", "json"], db: other).out) as? [String: Any]).flatMap { ($0["unchanged"] as? [String: Int])?["variants"] } == 2)
    // A repo whose GGUF files are two architectures stores nothing.
    let mixed = try hf(["model", "import", "hf:org/Mixed-GGUF", "--slug", "mixed", "--variants"], db: db, hub: hub)
    #expect(mixed.code == 65 && mixed.err.contains("another architecture"))
    #expect(try sf(["model", "show", "mixed"], db: db).code == 66)
    // Without --variants: the architecture, named by the repo.
    let plain = try hf(["model", "import", "hf:meta-llama/Tiny-Llama"], db: db, hub: hub)
    #expect(plain.code == 0, "\(plain.err)")
    #expect(try sf(["model", "show", "tiny-llama", "--format", "json"], db: db).out.contains(commitA))

    // The repo moves on: a new commit with a longer context. refresh shows both, stores unless --dry-run.
    let dir = hub.root + "/meta-llama/Tiny-Llama"
    var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/config.json"))) as? [String: Any])
    config["max_position_embeddings"] = 65536
    try FileManager.default.removeItem(atPath: dir + "/config.json")
    try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/config.json"))
    let newCommit = String(repeating: "f", count: 40)
    try JSONSerialization.data(withJSONObject: ["commit": newCommit]).write(to: URL(fileURLWithPath: dir + "/.hub.json"))
    let dry = try hf(["model", "refresh", "tiny-llama", "--dry-run", "--format", "json"], db: db, hub: hub)
    #expect(dry.code == 0, "\(dry.err)")
    let report = try #require(try json(dry.out) as? [String: Any])
    let fields = (report["changes"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    #expect(fields.contains("hf_commit") && fields.contains("max_position_embeddings") && report["stored"] as? Bool == false)
    #expect(!(try sf(["model", "show", "tiny-llama", "--format", "json"], db: db).out.contains(newCommit)))
    #expect(try hf(["model", "refresh", "tiny-llama"], db: db, hub: hub).code == 0)
    let shown = try sf(["model", "show", "tiny-llama", "--format", "json"], db: db).out
    #expect(shown.contains(newCommit) && shown.contains("65536"))
    #expect(try hf(["model", "refresh", "tiny-llama"], db: db, hub: hub).out.contains("nothing changed"))
}

@Test func theHubsAnswersBecomeOneLineErrorsAndNothingIsStored() throws {
    let hub = try FixtureHub()
    defer { hub.stop() }
    let db = try tempDB()
    func check(_ ref: String, _ code: Int32, _ says: String, env: [String: String] = [:]) throws {
        let r = try hf(["model", "import", ref, "--slug", "x"], db: db, hub: hub, env: env)
        #expect(r.code == code, "\(ref): \(r.code) \(r.err)")
        #expect(r.err.contains(says), "\(ref): \(r.err)")
        #expect(r.err.split(separator: "\n").count == 1, "\(ref): \(r.err)")
        #expect(try sf(["model", "show", "x"], db: db).code == 66, "\(ref) stored something")
    }
    try check("hf:nobody/nothing", 66, "no model nobody/nothing")
    try check("hf:meta-llama/Tiny-Llama@v9", 66, "no revision 'v9'")
    try check("hf:org/Gated", 66, "accept its licence")
    try check("hf:org/Gated", 66, "not been granted", env: ["HF_TOKEN": "hf_wrong"])
    try check("hf:org/Ignores-Range", 65, "does not download weights")
    try check("hf:org/Huge-Length", 65, "5000000000 bytes")
    try check("hf:org/Short-Range", 65, "got")
    try check("hf:org/Bad-Header", 65, "larger than the file")
    try check("hf:org/Stalls", 66, "time-out", env: ["HF_HUB_DOWNLOAD_TIMEOUT": "1"])
    try check("hf:bad..name/x", 64, "not a Hugging Face repo id")

    // The gated repo opens with the token, from HF_TOKEN or from the file `hf auth login` writes.
    #expect(try hf(["inspect", "hf:org/Gated"], db: db, hub: hub, env: ["HF_TOKEN": "hf_test_token"]).code == 0)
    try FileManager.default.createDirectory(atPath: hub.root + "/.hf-home", withIntermediateDirectories: true)
    try Data("hf_test_token\n".utf8).write(to: URL(fileURLWithPath: hub.root + "/.hf-home/token"))
    #expect(try hf(["inspect", "hf:org/Gated"], db: db, hub: hub).code == 0)
    // 429 with Retry-After: waited out, then answered.
    let busy = try hf(["inspect", "hf:org/Busy"], db: db, hub: hub)
    #expect(busy.code == 0, "\(busy.err)")
}

@Test func theLocalHuggingFaceCacheIsReadFirstAndOffline() throws {
    let db = try tempDB()
    // A cache laid out as huggingface_hub writes it: refs/main holds the commit (no newline),
    // snapshots/COMMIT/* are relative links into blobs/.
    let cache = FileManager.default.temporaryDirectory.appendingPathComponent("sf-hfcache-\(UUID().uuidString)").path
    let repo = cache + "/models--org--Cached"
    let fm = FileManager.default
    try fm.createDirectory(atPath: repo + "/refs", withIntermediateDirectories: true)
    try fm.createDirectory(atPath: repo + "/blobs", withIntermediateDirectories: true)
    try fm.createDirectory(atPath: repo + "/snapshots/" + commitA, withIntermediateDirectories: true)
    try Data(commitA.utf8).write(to: URL(fileURLWithPath: repo + "/refs/main"))
    for (i, name) in ["config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"].enumerated() {
        let blob = "blob\(i)" + String(repeating: "0", count: 35)
        try fm.copyItem(atPath: fixtureDir + "/tiny-llama-bf16-sharded/" + name, toPath: repo + "/blobs/" + blob)
        try fm.createSymbolicLink(atPath: repo + "/snapshots/\(commitA)/" + name, withDestinationPath: "../../blobs/" + blob)
    }
    let env = ["HF_HUB_CACHE": cache, "HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9", "HF_TOKEN": ""]
    let r = try sfEnv(["inspect", "hf:org/Cached", "--format", "json"], db: db, env: env)
    #expect(r.code == 0, "\(r.err)")
    let o = try #require(try json(r.out) as? [String: Any])
    #expect(o["source"] as? String == "cache" && o["commit"] as? String == commitA)
    #expect((((o["read"] as? [[String: Any]])?.first?["inventory"]) as? [String: Any])?["weights_bytes"] as? Int == 213_632)
    // By commit too, and estimate reads it the same way.
    #expect(try sfEnv(["estimate", "--model", "hf:org/Cached@\(commitA)", "--format", "json"], db: db, env: env).out.contains("\"weights_bytes\" : 213632"))
    // inspect --cache lists it with its sizes.
    let list = try #require(try json(try sfEnv(["inspect", "--cache", "--format", "json"], db: db, env: env).out) as? [[String: Any]])
    #expect(list.count == 1 && list[0]["repo"] as? String == "org/Cached" && (list[0]["refs"] as? [String]) == ["main"])
    #expect(list[0]["weights_bytes"] as? Int == 107_808 + 108_000)
    // Offline and not cached: says so, exit 66.
    let off = try sfEnv(["inspect", "hf:org/Elsewhere"], db: db, env: env)
    #expect(off.code == 66 && off.err.contains("HF_HUB_OFFLINE"))
}

@Test func theAPIImportsAndSizesHubModels() async throws {
    let hub = try FixtureHub()
    defer { hub.stop() }
    let db = try tempDB()
    let made = try sf(["token", "create", "--name", "hub-ci", "--role", "write", "--format", "json"], db: db)
    let secret = try #require((try json(made.out) as? [String: Any])?["token"] as? String)
    let server = try ServeProcess(db: db, env: ["HF_ENDPOINT": hub.url, "HF_HUB_CACHE": hub.root + "/.no-cache", "HF_HOME": hub.root + "/.hf-home", "HF_TOKEN": ""])
    defer { server.stop() }
    func request(_ path: String, method: String = "GET", token: String? = nil, body: String? = nil) async throws -> (Int, String) {
        try await server.request(path, method: method, token: token, body: body)
    }
    let body = #"{"model": "hf:TheBloke/Tiny-GGUF", "slug": "tiny-gguf", "variants": true}"#
    #expect(try await request("/v1/models/import", method: "POST", body: body).0 == 401)
    #expect(try await request("/v1/models/import").0 == 405)  // its own resource, not /v1/models/{slug}
    let (code, text) = try await request("/v1/models/import", method: "POST", token: secret, body: body)
    #expect(code == 201, "\(text)")
    let r = try #require(try json(text) as? [String: Any])
    #expect(r["commit"] as? String == commitB && (r["variants"] as? [Any])?.count == 2)
    #expect(try await request("/v1/models/tiny-gguf").1.contains(commitB))
    #expect(try await request("/v1/models/tiny-gguf/variants").1.contains("Q4_0"))
    // A key the endpoint does not know is refused; the Hub's refusals keep their meaning.
    #expect(try await request("/v1/models/import", method: "POST", token: secret, body: #"{"model": "hf:org/Gated", "varients": true}"#).0 == 400)
    #expect(try await request("/v1/models/import", method: "POST", token: secret, body: #"{"model": "hf:org/Gated"}"#).0 == 403)
    #expect(try await request("/v1/models/import", method: "POST", token: secret, body: #"{"model": "hf:nobody/nothing"}"#).0 == 404)
    #expect(try await request("/v1/models/import", method: "POST", token: secret, body: #"{"model": "hf:org/Ignores-Range"}"#).0 == 502)
    // estimate and rank read hf: models for one answer, with the checkpoint's exact bytes.
    let (ec, et) = try await request("/v1/estimate", method: "POST", body: #"{"model": "hf:meta-llama/Llama-3.1-8B-Instruct", "gpu": "h100-sxm"}"#)
    #expect(ec == 200 && et.contains("16060522496"), "\(et)")
    #expect(try await request("/v1/rank?model=hf:meta-llama/Tiny-Llama&gpu=l4&top=1").0 == 200)
}

@Test func agentsReadHubModelsThroughMCP() throws {
    let hub = try FixtureHub()
    defer { hub.stop() }
    let db = try tempDB()
    _ = try sf(["gpu", "list"], db: db)
    let s = try MCPSession(db: db, env: ["HF_ENDPOINT": hub.url, "HF_HUB_CACHE": hub.root + "/.no-cache", "HF_TOKEN": "", "HF_HOME": hub.root + "/.hf-home"])
    defer { s.process.terminate() }
    _ = try s.request("initialize", ["protocolVersion": "2025-06-18", "capabilities": [String: Any](), "clientInfo": ["name": "test", "version": "1"]])
    try s.send(["jsonrpc": "2.0", "method": "notifications/initialized"])
    let e = try s.call("estimate", ["model": "hf:meta-llama/Tiny-Llama", "gpu": "h100-sxm"])
    #expect(!e.isError, "\(e.texts)")
    #expect((try json(e.texts.last ?? "{}") as? [String: Any])?["weights_bytes"] as? Int == 213_632)
    let gated = try s.call("rank", ["model": "hf:org/Gated"])
    #expect(gated.isError && gated.texts[0].contains("gated"), "\(gated.texts)")
}

/// HTTP_PROXY (for an http endpoint; HTTPS_PROXY for https) carries every request, unless
/// NO_PROXY names the host: a proxy that is down fails the read, NO_PROXY goes round it.
@Test func requestsGoThroughTheProxyUnlessNoProxySaysSo() throws {
    let hub = try FixtureHub()
    defer { hub.stop() }
    let db = try tempDB()
    let down = try hf(["inspect", "hf:meta-llama/Tiny-Llama"], db: db, hub: hub, env: ["HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""])
    #expect(down.code == 66 && down.err.contains("cannot reach"), "\(down.err)")
    let around = try hf(["inspect", "hf:meta-llama/Tiny-Llama"], db: db, hub: hub, env: ["HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "localhost,127.0.0.1"])
    #expect(around.code == 0, "\(around.err)")
    let bad = try hf(["inspect", "hf:meta-llama/Tiny-Llama"], db: db, hub: hub, env: ["HTTP_PROXY": "http://[::1", "NO_PROXY": ""])
    #expect(bad.code == 64 && bad.err.contains("proxy"), "\(bad.err)")
}
