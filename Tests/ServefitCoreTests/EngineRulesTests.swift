import Foundation
import Testing
@testable import ServefitCore

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func seedCatalog() throws -> (models: [Model], gpus: [GPU]) {
    func doc(_ name: String) throws -> CatalogDocument {
        try CatalogDocument.decode(try Data(contentsOf: repoRoot.appendingPathComponent("seed/\(name).json")))
    }
    return (try doc("models").models ?? [], try doc("gpus").gpus ?? [])
}

/// For every seeded model × GPU × weight format × GPU count, `estimate` and `rank` give the same
/// verdict: deployable (the engine starts it and one sequence fits) or not. Both ask the same
/// engine rules and the same estimator, so this cannot drift apart.
@Test func estimateAndRankAgreeOnEveryDeployment() throws {
    let (models, gpus) = try seedCatalog()
    let counts = [1, 2, 4, 8]
    var checked = 0, deployable = 0
    for engine in [Engine.vllm, .llamaCpp] {
        for m in models {
            guard (try? ParamCounter.count(m)) != nil else { continue }
            var q = RankQuery(model: m.slug)
            q.engine = engine
            q.formats = engine == .llamaCpp ? ["Q4_K_M", "fp16"] : ["fp16", "fp8", "awq"]
            q.counts = counts
            q.batches = [1]
            // Every GPU rentable in every size, so price never decides.
            let candidates = gpus.map { g in
                RankCandidate(gpu: g, offerings: [Price(gpu: g.slug, provider: "P", usdPerGPUHour: 1, asOf: "2026-11-01", source: "t")].map {
                    var p = $0; p.gpusPerInstance = 8; return p
                })
            }
            let r = try Ranker.rank(q, model: m, candidates: candidates)
            let w = q.workload(for: m)
            for row in r.ranked + r.rejected {
                var e = EstimateRequest(model: m)
                e.weights = try WeightFormat.parse(row.weights)
                e.engine = engine
                e.context = w.context
                e.gpus = row.gpuCount
                e.tensorParallel = row.tensorParallel
                e.pipelineParallel = row.gpuCount / row.tensorParallel
                let g = try #require(gpus.first { $0.slug == row.gpu })
                e.gpu = g
                e.gpuMemoryBytes = g.memoryBytes
                e.gpuVisibleMemoryBytes = g.visibleMemoryBytes
                // The row's launch line: --max-num-seqs its batch.
                if engine == .vllm { e.maxNumSeqs = q.batches.last }
                let est = try Estimator.estimate(e)
                let rankSays = row.rejectedReason == nil
                #expect(est.deployable == rankSays,
                        "\(engine.rawValue) \(m.slug) \(row.label): estimate \(est.refused ?? (est.fits == false ? "does not fit" : "deployable")), rank \(row.rejectedReason ?? "ranked")")
                if rankSays { #expect(est.launch != nil || m.kind == .encoder, "\(m.slug) \(row.label): no launch line") }
                checked += 1
                if rankSays { deployable += 1 }
            }
        }
    }
    #expect(checked > 10_000)
    #expect(deployable > 1000)
}

@Test func engineRulesFromTheEnginesOwnChecks() throws {
    let (models, gpus) = try seedCatalog()
    func m(_ s: String) throws -> Model { try #require(models.first { $0.slug == s }) }
    func g(_ s: String) throws -> GPU { try #require(gpus.first { $0.slug == s }) }
    func plan(_ model: String, _ gpu: String, _ engine: Engine = .vllm, w: String = "fp16", kv: String = "fp16", tp: Int = 1, pp: Int = 1, ctx: Int = 2048) throws -> DeploymentPlan {
        DeploymentPlan(model: try m(model), gpu: try g(gpu), engine: engine, weights: try WeightFormat.parse(w), kvDType: try KVDType.parse(kv),
                       tensorParallel: tp, pipelineParallel: pp, context: ctx)
    }
    // Llama 2 70B: 64 heads, 8 KV heads.
    #expect(EngineRules.problem(try plan("llama-2-70b", "h100-sxm", tp: 3))?.contains("does not divide 64 attention heads") == true)
    #expect(EngineRules.problem(try plan("llama-2-70b", "h100-sxm", tp: 8)) == nil)
    #expect(EngineRules.problem(try plan("llama-2-70b", "h100-sxm", tp: 16)) == nil)  // KV heads replicated
    // Context past the model's maximum (Llama 2: 4096).
    #expect(EngineRules.problem(try plan("llama-2-7b", "h100-sxm", ctx: 8192))?.contains("4096") == true)
    var long = try plan("llama-2-7b", "h100-sxm", ctx: 8192)
    long.allowLongContext = true
    #expect(EngineRules.problem(long) == nil)
    // Quantisation by architecture: vLLM fp8 needs sm_80+, AWQ sm_75+, bitsandbytes no ROCm.
    #expect(EngineRules.problem(try plan("llama-2-7b", "v100-sxm2-16gb", w: "fp8")) != nil)
    #expect(EngineRules.problem(try plan("llama-2-7b", "a100-80gb-sxm", w: "fp8")) == nil)
    #expect(EngineRules.problem(try plan("llama-2-7b", "t4", w: "awq")) == nil)
    #expect(EngineRules.problem(try plan("llama-2-7b", "v100-sxm2-16gb", w: "awq")) != nil)
    #expect(EngineRules.problem(try plan("llama-2-7b", "mi300x", w: "nf4"))?.contains("ROCm") == true)
    #expect(EngineRules.problem(try plan("llama-2-7b", "mi300x", w: "fp8")) == nil)
    #expect(EngineRules.problem(try plan("llama-2-7b", "mi250x", w: "fp8")) != nil)
    // llama.cpp: GGUF only, its own cache types, layers not tensors.
    #expect(EngineRules.problem(try plan("llama-2-7b", "rtx-4090", .llamaCpp, w: "fp8"))?.contains("GGUF") == true)
    #expect(EngineRules.problem(try plan("llama-2-7b", "rtx-4090", .llamaCpp, w: "Q4_K_M", kv: "q8_0")) == nil)
    #expect(EngineRules.problem(try plan("llama-2-7b", "rtx-4090", .llamaCpp, w: "Q4_K_M", kv: "fp8"))?.contains("q8_0") == true)
    #expect(EngineRules.problem(try plan("llama-2-7b", "rtx-4090", .llamaCpp, w: "Q4_K_M", tp: 2)) != nil)
    // vLLM has no int8 or q8_0 KV cache.
    #expect(EngineRules.problem(try plan("llama-2-7b", "h100-sxm", kv: "q8_0")) != nil)
    // Every seeded GPU knows its compute target.
    #expect(gpus.allSatisfy { $0.arch != nil })
}

/// A ranking's caches (speeds, estimates and rule verdicts shared by GPUs of one spec, choices
/// shared by GPUs of one spec and memory) and its split over cores change nothing: over a catalog
/// large enough to be split, with copies of each GPU at other prices and names, every row is the
/// row that GPU gets when ranked alone.
@Test func sharedWorkAndCoresChangeNoRow() throws {
    let (models, gpus) = try seedCatalog()
    var candidates: [RankCandidate] = []
    for k in 0..<10 {
        for g in gpus {
            var c = g
            c.slug = "\(g.slug)-c\(k)"; c.name = "\(g.name) copy \(k)"
            var one = Price(gpu: c.slug, provider: "P\(k)", usdPerGPUHour: 1 + Double(k) / 7, asOf: "2026-11-01", source: "t")
            one.gpusPerInstance = 1
            var eight = one
            eight.gpusPerInstance = 8; eight.link = k % 2 == 0 ? .nvlink : .pcie; eight.usdPerGPUHour += 0.5
            candidates.append(RankCandidate(gpu: c, offerings: k % 3 == 0 ? [] : [one, eight]))
        }
    }
    #expect(candidates.count >= 256)
    for slug in ["llama-3.1-8b-instruct", "qwen3-30b-a3b"] {
        let m = try #require(models.first { $0.slug == slug })
        for options in [["max-tpot": "40ms"], ["traffic": "5", "budget-per-hour": "40"], ["min-throughput": "2000"]] {
            var o = options
            o["model"] = slug
            let q = try RankQuery(options: o)
            let all = try Ranker.rank(q, model: m, candidates: candidates.shuffled())
            var alone: [RankRow] = [], aloneRejected: [RankRow] = []
            for c in candidates {
                let r = try Ranker.rank(q, model: m, candidates: [c])
                alone += r.ranked.map { var x = $0; x.launch = nil; return x }
                aloneRejected += r.rejected
            }
            let shown = all.ranked.map { var x = $0; x.launch = nil; return x }
            #expect(shown == alone.sorted { Ranker.order($0, $1) }, "\(slug) \(options): ranked rows differ")
            #expect(all.rejected == aloneRejected.sorted { ($0.gpu, $0.gpuCount, $0.weights) < ($1.gpu, $1.gpuCount, $1.weights) },
                    "\(slug) \(options): rejected rows differ")
            #expect(!all.ranked.isEmpty && !all.rejected.isEmpty)
        }
    }
}

/// A deployment that does not fit says so in its engine's own terms.
@Test func memoryMissesNameTheEnginesBudget() throws {
    let (models, gpus) = try seedCatalog()
    let m = try #require(models.first { $0.slug == "llama-3.1-70b" })
    let g = try #require(gpus.first { $0.slug == "l4" })
    let c = RankCandidate(gpu: g, offerings: [Price(gpu: g.slug, provider: "P", usdPerGPUHour: 1, asOf: "2026-11-01", source: "t")])
    for (engine, says) in [(Engine.vllm, "usable (--gpu-memory-utilization 0.90 of"), (.sglang, "usable (SGLang's default --mem-fraction-static 0."),
                           (.transformers, " per GPU > ")] {
        var q = RankQuery(model: m.slug)
        q.engine = engine; q.counts = [1]; q.formats = ["fp16"]
        let r = try Ranker.rank(q, model: m, candidates: [c])
        let reason = try #require(r.rejected.first?.rejectedReason)
        #expect(reason.hasPrefix("needs ") && reason.contains(says), "\(engine.rawValue): \(reason)")
        if engine != .vllm { #expect(!reason.contains("gpu-memory-utilization"), "\(engine.rawValue): \(reason)") }
    }
}

/// A checkpoint stored quantised (DeepSeek-R1's block FP8, gpt-oss's MXFP4, per their config.json
/// quantization_config) is served as stored: no engine gets a quantisation flag or is told to find
/// another checkpoint; the same format on a 16-bit checkpoint still gets vLLM's --quantization fp8.
@Test func storedQuantisedCheckpointsNeedNoFlag() throws {
    let models = try seedCatalog().models
    let r1 = try #require(models.first { $0.slug == "deepseek-r1" })
    let oss = try #require(models.first { $0.slug == "gpt-oss-120b" })
    let dense = try #require(models.first { $0.slug == "llama-3.1-8b-instruct" })
    #expect(r1.quantization?.format == "fp8" && r1.quantization?.weightBlockSize == [128, 128])
    #expect(try EstimateSpec(model: r1.slug).request(model: r1, gpu: nil).weights == .fp8)
    for (m, w) in [(r1, WeightFormat.fp8), (oss, try WeightFormat.parse("mxfp4"))] {
        var s = LaunchCommand.Spec(model: m)
        s.weights = w; s.tensorParallel = 8
        for l in [LaunchCommand.vllm(s), LaunchCommand.sglang(s), LaunchCommand.trtllm(s)] {
            #expect(!l.command.contains("--quantization"), "\(l.command)")
            #expect(!l.notes.contains { $0.contains("needs a") }, "\(l.notes)")
        }
        #expect(ParsedLaunch(LaunchCommand.vllm(s).command)?.problem(model: m, gpu: nil) == nil)
    }
    var s = LaunchCommand.Spec(model: dense)
    s.weights = .fp8
    #expect(LaunchCommand.vllm(s).command.contains("--quantization fp8"))
}

/// gpt-oss-120b on one H100: at vLLM's defaults the profiling sampler for 1024 sequences × 201,088
/// vocabulary (6.9 GiB) leaves no KV room at utilisation 0.9 — the estimate says so and names the
/// --max-num-seqs that does leave room; rank sizes each plan with the --max-num-seqs its launch line
/// sets (at most the sweep's largest batch), so the checkpoint's own MXFP4 ranks on one H100, as it
/// is served (llm-d's log: 64.38 GiB of weights on a 79.18 GiB H100).
@Test func rankSizesVLLMsSamplerForItsOwnMaxNumSeqs() throws {
    let (models, gpus) = try seedCatalog()
    let m = try #require(models.first { $0.slug == "gpt-oss-120b" })
    let g = try #require(gpus.first { $0.slug == "h100-sxm" })
    var e = EstimateRequest(model: m)
    e.weights = try WeightFormat.parse("mxfp4"); e.context = 8192
    e.gpu = g; e.gpuMemoryBytes = g.memoryBytes; e.gpuVisibleMemoryBytes = g.visibleMemoryBytes; e.gpuName = g.name
    let est = try Estimator.estimate(e)
    #expect(est.fits == false)
    #expect(est.notes.contains { $0.contains("--max-num-seqs 512") && $0.contains("for the KV cache") }, "\(est.notes)")
    e.maxNumSeqs = 512
    #expect(try Estimator.estimate(e).fits == true)

    var q = RankQuery(model: m.slug)
    q.counts = [1]
    let price = Price(gpu: g.slug, provider: "P", usdPerGPUHour: 2, asOf: "2026-11-01", source: "t")
    let r = try Ranker.rank(q, model: m, candidates: [RankCandidate(gpu: g, offerings: [price])])
    let top = try #require(r.ranked.first)
    #expect(top.weights == "mxfp4", "the stored format wins a tie: \(r.ranked.map(\.weights))")
    let launch = try #require(top.launch?.command)
    #expect(!launch.contains("--quantization") && launch.contains("--max-num-seqs \(top.batch ?? 0)"), "\(launch)")
}
