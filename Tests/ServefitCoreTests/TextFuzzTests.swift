import Foundation
import Testing
@testable import ServefitCore

/// Seeded mutation of the text inputs strangers send: the number grammar, config.json, catalog
/// documents and the API's JSON bodies. Every input is either read or refused with CoreError;
/// a trap (overflow, Double→Int, force-unwrap) would end the test process.
/// Longer runs: SERVEFIT_FUZZ_ITERATIONS=100000 SERVEFIT_FUZZ_SEED=7 swift test --filter TextFuzz
/// (SERVEFIT_FUZZ_SAVE=DIR keeps the current input in DIR/current.txt, for Fixtures/text-corpus/).

/// Tokens that break number and JSON readers, spliced into the seeds.
let nasty = ["1e19", "1e308", "1e400", "-1", "-0", "0x10", "1e-320", "4.9e-324", "inf", "NaN", "9223372036854775807",
             "18446744073709551616", "true", "false", "null", "\"\"", "[]", "{}", "\u{0}", "\\u0000", "\\ud800", "ms", "s", "GiB",
             " ", ",", "\"", "9" + String(repeating: "9", count: 40), "1.", ".5", "1e", "1e+", "٣", "Ⅻ", "\u{FEFF}"]

struct TextMutator {
    var rng: SplitMix
    mutating func mutate(_ seed: String) -> String {
        var s = Array(seed.unicodeScalars)
        for _ in 0..<(1 + Int(rng.next() % 6)) {
            let i = s.isEmpty ? 0 : Int(rng.next() % UInt64(s.count))
            switch rng.next() % 6 {
            case 0: if !s.isEmpty { s.remove(at: i) }
            case 1: s.insert(contentsOf: nasty[Int(rng.next() % UInt64(nasty.count))].unicodeScalars, at: i)
            case 2: if !s.isEmpty { s[i] = Unicode.Scalar(UInt8(truncatingIfNeeded: rng.next() % 128)) }
            case 3: if i < s.count { s.removeSubrange(i..<min(s.count, i + Int(rng.next() % 16))) }
            case 4: if !s.isEmpty { let j = Int(rng.next() % UInt64(s.count)); s.insert(contentsOf: s[min(i, j)..<max(i, j)].prefix(64), at: i) }
            default: s = Array(s.prefix(i))
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: s)
        return String(out)
    }
}

func fuzzIterations(_ base: Int) -> (Int, SplitMix, String?) {
    let env = ProcessInfo.processInfo.environment
    return (Int(env["SERVEFIT_FUZZ_ITERATIONS"] ?? "") ?? base, SplitMix(seed: UInt64(env["SERVEFIT_FUZZ_SEED"] ?? "") ?? 20261201),
            env["SERVEFIT_FUZZ_SAVE"])
}

/// Runs `body`; only a CoreError may escape. Returns whether it was read.
func readOrRefuse(_ input: String, save: String?, _ body: () throws -> Void) -> Bool {
    if let save { try? Data(input.utf8).write(to: URL(fileURLWithPath: save).appendingPathComponent("current.txt")) }
    do { try body(); return true } catch is CoreError { return false } catch {
        Issue.record("\(error) for input \(input.prefix(200).debugDescription)")
        return false
    }
}

@Test func textFuzzNumberGrammar() {
    let (n, rng0, save) = fuzzIterations(4000)
    var m = TextMutator(rng: rng0)
    let seeds = ["24GiB", "80 GB", "1.5TiB", "7B", "560M", "4k", "128k", "1M", "50ms", "2s", "0.5", "1e3", "250us", "0.9", "1000000"]
    for _ in 0..<n {
        let s = m.mutate(seeds[Int(m.rng.next() % UInt64(seeds.count))])
        _ = readOrRefuse(s, save: save) {
            let v = try Units.parseBytes(s); #expect(v >= 0 && Double(v) <= Units.maxBytes)
        }
        _ = readOrRefuse(s, save: save) { _ = try Units.parseCount(s) }
        _ = readOrRefuse(s, save: save) { let ms = try Units.parseMilliseconds(s); #expect(ms > 0 && ms <= Units.maxDurationMs) }
        if let v = Numbers.decimal(s) { #expect(v.isFinite && (v == 0 || v.isNormal)) }
        if let v = Units.parseInt(s) { #expect(v >= 0) }
        // The formatter takes any Double, even those no parser returns.
        _ = Units.format(Double(bitPattern: m.rng.next()), Int(m.rng.next() % 12))
        // Rank options: every value through the one parser.
        let keys = RankQuery.optionNames.filter { $0 != "model" }
        let key = keys[Int(m.rng.next() % UInt64(keys.count))]
        _ = readOrRefuse(s, save: save) { _ = try RankQuery(options: ["model": "m", key: s]).options }
    }
}

let fixturesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

@Test func textFuzzConfigJSON() throws {
    let (n, rng0, save) = fuzzIterations(3000)
    var m = TextMutator(rng: rng0)
    let seeds = try ["tiny-llama-fp16", "tiny-llama-awq", "tiny-llama-fp8", "tiny-llama-bf16-sharded"].map {
        try String(contentsOf: fixturesDir.appendingPathComponent("\($0)/config.json"), encoding: .utf8)
    }
    var read = 0
    for _ in 0..<n {
        let s = m.mutate(seeds[Int(m.rng.next() % UInt64(seeds.count))])
        if readOrRefuse(s, save: save, {
            let model = try HFConfig.parse(Data(s.utf8), slug: "fuzz")
            try model.validate()
            let pc = try ParamCounter.count(model)
            var r = EstimateRequest(model: model)
            r.paramCount = pc
            _ = try Estimator.estimate(r)
        }) { read += 1 }
    }
    #expect(read > 0)
}

@Test func textFuzzCatalogAndBodies() throws {
    let (n, rng0, save) = fuzzIterations(3000)
    var m = TextMutator(rng: rng0)
    let doc = #"{"format":"servefit-catalog","version":1,"models":[{"slug":"m","model_type":"llama","hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"vocab_size":100}],"gpus":[{"slug":"g","vendor":"X","name":"G","memory_bytes":25769803776,"bandwidth_gb_per_s":900.5,"tflops":{"bf16":100}}],"prices":[{"gpu":"g","provider":"P","pricing_model":"on-demand","usd_per_gpu_hour":1.25,"as_of":"2026-11-01","source":"s"}]}"#
    let estimate = #"{"model":"llama-2-7b","weights":"fp8","kv_cache":"fp16","context":4096,"batch":8,"gpus":2,"tensor_parallel":2,"gpu_memory_utilization":0.9,"gpu_memory":"80GiB","lora_rank":8,"zero":0}"#
    let gpu = #"{"slug":"g","vendor":"X","name":"G","memory_bytes":25769803776,"bandwidth_gb_per_s":900.5,"tflops":{"bf16":100,"fp8":200},"tdp_w":300}"#
    let price = #"{"gpu":"g","provider":"P","pricing_model":"spot","usd_per_gpu_hour":1.25,"as_of":"2026-02-28","source":"s","region":"eu"}"#
    let model = #"{"slug":"m","model_type":"llama","hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"vocab_size":100,"tags":["a"]}"#
    let gpuModel = try JSONDecoder().decode(Model.self, from: Data(model.utf8))
    for i in 0..<n {
        let which = i % 5
        let s = m.mutate([doc, estimate, gpu, price, model][which])
        _ = readOrRefuse(s, save: save) {
            let d = Data(s.utf8)
            switch which {
            case 0:
                let c = try CatalogDocument.decode(d)
                for x in c.models ?? [] { try x.validate() }
                for x in c.gpus ?? [] { try x.validate() }
                for x in c.prices ?? [] { try x.validate() }
            case 1:
                let spec = try JSONDecoder.strict(EstimateSpec.self, from: d, what: "body")
                let g = GPU(slug: "g", vendor: "X", name: "G", memoryBytes: 80 << 30, bandwidthGBPerS: 1000, tflops: TFLOPS(bf16: 100))
                _ = try Estimator.estimate(try spec.request(model: gpuModel, gpu: spec.gpu == nil ? nil : g))
            case 2: try JSONDecoder.strict(GPU.self, from: d, what: "body").validate()
            case 3: try JSONDecoder.strict(Price.self, from: d, what: "body").validate()
            default:
                let x = try JSONDecoder.strict(Model.self, from: d, what: "body")
                try x.validate()
                _ = try? ParamCounter.count(x)
            }
        }
    }
}
