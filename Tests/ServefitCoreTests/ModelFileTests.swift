import Foundation
import Testing
@testable import ServefitCore

// Fixtures are written by the formats' reference writers (Fixtures/make_fixtures.py: the PyPI
// `safetensors` and `gguf` packages); expected.json is what the script computed from its arrays.

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

func bytes(_ path: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: path)) }

func header(_ url: URL) throws -> HeaderInfo {
    var r = ArrayReader(try bytes(url))
    return url.pathExtension == "gguf" ? try GGUF.read(&r) : try SafeTensors.read(&r)
}

/// The inventory of a fixture, read the way the CLI reads a folder.
func fixtureInventory(_ name: String) throws -> Inventory {
    let url = fixtures.appendingPathComponent(name)
    if name.hasSuffix(".gguf") { return try InventoryBuilder.build(headers: [(name, try header(url))], config: nil) }
    let fm = FileManager.default
    let config = try bytes(url.appendingPathComponent("config.json"))
    var files = try fm.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".safetensors") }.sorted()
    let index = url.appendingPathComponent("model.safetensors.index.json")
    if fm.fileExists(atPath: index.path) {
        let (total, map) = try SafeTensors.parseIndex(try bytes(index))
        files = Array(Set(map.values)).sorted()
        let inv = try InventoryBuilder.build(headers: try files.map { ($0, try header(url.appendingPathComponent($0))) }, config: config)
        #expect(total == inv.weightsBytes)
        return inv
    }
    return try InventoryBuilder.build(headers: try files.map { ($0, try header(url.appendingPathComponent($0))) }, config: config)
}

struct Expected: Decodable {
    struct Stat: Decodable { var tensors: Int; var bytes: Int64 }
    var tensor_count: Int
    var params_total: Int64
    var weights_bytes: Int64
    var by_dtype: [String: Stat]
    var files: [String]
    var quantization: String
    var weights: String
}

@Test(arguments: ["tiny-llama-fp16", "tiny-llama-bf16-sharded", "tiny-llama-fp8", "tiny-llama-awq", "tiny-llama-q4_k_m.gguf", "tiny-llama-q8_0.gguf"])
func inventoryMatchesWhatTheWriterWrote(_ name: String) throws {
    let all = try JSONDecoder().decode([String: Expected].self, from: Data(contentsOf: fixtures.appendingPathComponent("expected.json")))
    let want = try #require(all[name])
    let inv = try fixtureInventory(name)
    #expect(inv.tensorCount == want.tensor_count)
    #expect(inv.paramsTotal == want.params_total)
    #expect(inv.weightsBytes == want.weights_bytes)
    #expect(inv.files == want.files)
    #expect(inv.quantization == want.quantization)
    #expect(inv.weights == want.weights)
    #expect(Set(inv.byDType.keys) == Set(want.by_dtype.keys))
    for (k, s) in want.by_dtype {
        #expect(inv.byDType[k]?.tensors == s.tensors, "\(k)")
        #expect(inv.byDType[k]?.bytes == s.bytes, "\(k)")
    }
    // The architecture derived count agrees with the header count (config.json or GGUF metadata).
    let check = try #require(inv.check)
    #expect(check.agrees && check.headerParams == check.estimatorParams, "\(check.note)")
    // Its weight format parses back.
    _ = try WeightFormat.parse(inv.weights)
}

@Test func packedInt4CountsWeightsApartFromScalesAndZeros() throws {
    let inv = try fixtureInventory("tiny-llama-awq")
    // int32 qweight holds 8 weights; qzeros and scales are quantisation metadata.
    #expect(inv.byDType["I32"]!.params == inv.paramsTotal - inv.byDType["F16"]!.params)
    #expect(inv.quantizationBytes > 0)
    #expect(inv.bitsPerWeight > 4 && inv.bitsPerWeight < 16)
    let fp8 = try fixtureInventory("tiny-llama-fp8")
    #expect(fp8.byDType["F8_E4M3"] != nil && fp8.byDType["F32"]!.params == 0)
}

@Test func ggufMetadataDescribesTheArchitecture() throws {
    let h = try header(fixtures.appendingPathComponent("tiny-llama-q4_k_m.gguf"))
    #expect(h.ggufVersion == 3)
    #expect(h.gguf["general.architecture"] == .string("llama"))
    #expect(h.gguf["llama.block_count"]?.int == 1)
    // The vocabulary array is counted, not kept.
    if case .array(_, let n, let kept)? = h.gguf["tokenizer.ggml.tokens"] { #expect(n == 256 && kept.isEmpty) } else { Issue.record("no token list") }
    let m = try #require(try InventoryBuilder.ggufArchitecture(h, slug: "x"))
    #expect(m.hiddenSize == 256 && m.heads == 4 && m.kvHeads == 2 && m.layers == 1 && m.vocabSize == 256)
    #expect(h.tensors.first { $0.name == "blk.0.attn_v.weight" }?.dtype == "Q6_K")
}

// MARK: malformed files: a clear error, never a crash, a hang or a huge allocation

func safetensors(_ header: String, data: Int = 0, length: UInt64? = nil) -> [UInt8] {
    let h = Array(header.utf8)
    let n = length ?? UInt64(h.count)
    return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + h + [UInt8](repeating: 0, count: data)
}

/// The parser refuses the bytes with a CoreError whose message contains `fragment`.
func refusal(_ parse: ([UInt8]) throws -> HeaderInfo, _ b: [UInt8], _ fragment: String, sourceLocation: SourceLocation) {
    do {
        _ = try parse(b)
        Issue.record("accepted a malformed file (wanted: \(fragment))", sourceLocation: sourceLocation)
    } catch let e as CoreError {
        #expect(e.description.contains(fragment), "\(e.description)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

func refuses(_ b: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
    refusal(parseSafetensors, b, fragment, sourceLocation: sourceLocation)
}

@Test func malformedSafetensorsAreRefusedClearly() {
    let ok = #"{"a":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}}"#
    var r = ArrayReader(safetensors(ok, data: 8))
    #expect((try? SafeTensors.read(&r))?.tensors.count == 1)
    refuses([1, 2, 3], "truncated")
    refuses(safetensors(ok, data: 4), "outside the file")                                  // truncated data
    refuses(safetensors(ok, length: 1 << 40), "exceeds")                                   // absurd header length
    refuses(safetensors(ok, length: 5000), "larger than the file")                         // header length past the end
    refuses(safetensors(#"{"a": "#), "invalid JSON")
    refuses(safetensors("{\"a\":\"\u{FF}\"}").enumerated().map { $0.offset == 14 ? 0xFF : $0.element }, "UTF-8")
    refuses(safetensors(#"{"a":{"dtype":"F17","shape":[2],"data_offsets":[0,4]}}"#, data: 4), "unknown dtype")
    refuses(safetensors(#"{"a":{"dtype":"F16","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}"#, data: 8), "overflows")
    refuses(safetensors(#"{"a":{"dtype":"F16","shape":[-2,2],"data_offsets":[0,8]}}"#, data: 8), "non-negative")
    refuses(safetensors(#"{"a":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},"a":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}}"#, data: 8), "duplicate")
    refuses(safetensors(#"{"a":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},"b":{"dtype":"F16","shape":[2,2],"data_offsets":[4,12]}}"#, data: 12), "overlap")
    refuses(safetensors(#"{"a":{"dtype":"F16","shape":[2,2],"data_offsets":[0,6]}}"#, data: 8), "needs 8 bytes")
    refuses(safetensors(#"{"a":{"dtype":"F16","shape":[2,2],"data_offsets":[8,0]}}"#, data: 8), "begin ≤ end")
    refuses(safetensors(String(repeating: "[", count: 100_000)), "deeper")
    refuses(safetensors(#"[1,2]"#), "not a JSON object")
    refuses(safetensors(#"{"__metadata__":{"x":1}}"#), "must be a string")
}

/// A minimal GGUF v3 writer for malformed cases (the fixtures come from the real writer).
struct GGUFBytes {
    var b: [UInt8] = Array("GGUF".utf8)
    mutating func u32(_ v: UInt32) { b += (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
    mutating func u64(_ v: UInt64) { b += (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
    mutating func str(_ s: String) { u64(UInt64(s.utf8.count)); b += Array(s.utf8) }
    static func file(version: UInt32 = 3, tensors: [(String, [UInt64], UInt32, UInt64)], kv: [(String, UInt32, (inout GGUFBytes) -> Void)] = [], data: Int) -> [UInt8] {
        var g = GGUFBytes()
        g.u32(version); g.u64(UInt64(tensors.count)); g.u64(UInt64(kv.count))
        for (k, t, write) in kv { g.str(k); g.u32(t); write(&g) }
        for (name, dims, type, off) in tensors {
            g.str(name); g.u32(UInt32(dims.count)); for d in dims { g.u64(d) }; g.u32(type); g.u64(off)
        }
        while g.b.count % 32 != 0 { g.b.append(0) }
        return g.b + [UInt8](repeating: 0, count: data)
    }
}

func refusesGGUF(_ b: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
    refusal(parseGGUF, b, fragment, sourceLocation: sourceLocation)
}

@Test func malformedGGUFAreRefusedClearly() {
    let good = GGUFBytes.file(tensors: [("w", [32, 2], 8, 0)], data: 68)
    var r = ArrayReader(good)
    #expect((try? GGUF.read(&r))?.tensors.first?.bytes == 68)
    refusesGGUF(Array("GGML".utf8) + [0, 0, 0, 0], "not a GGUF")
    refusesGGUF(GGUFBytes.file(version: 1, tensors: [], data: 0), "version 1")
    refusesGGUF(Array(good.prefix(30)), "truncated")
    refusesGGUF(GGUFBytes.file(tensors: [("w", [32, 2], 8, 0)], data: 10), "outside the file")
    refusesGGUF(GGUFBytes.file(tensors: [("w", [32, 2], 99, 0)], data: 68), "unknown ggml type 99")
    refusesGGUF(GGUFBytes.file(tensors: [("w", [1 << 40, 1 << 40], 0, 0)], data: 8), "overflow")
    refusesGGUF(GGUFBytes.file(tensors: [("w", [31, 2], 8, 0)], data: 68), "whole number")
    refusesGGUF(GGUFBytes.file(tensors: [("w", [32, 1], 8, 0), ("w", [32, 1], 8, 64)], data: 128), "twice")
    refusesGGUF(GGUFBytes.file(tensors: [("a", [64], 0, 0), ("b", [64], 0, 128)], data: 512), "overlap")
    refusesGGUF(GGUFBytes.file(tensors: [("a", [8], 0, 3)], data: 64), "aligned")
    refusesGGUF(GGUFBytes.file(tensors: [], kv: [("k", 8, { $0.u64(1 << 40) })], data: 0), "exceeds")
    refusesGGUF(GGUFBytes.file(tensors: [], kv: [("k", 9, { $0.u32(4); $0.u64(1 << 50) })], data: 0), "larger than the file")
    refusesGGUF(GGUFBytes.file(tensors: [], kv: [("k", 77, { _ in })], data: 0), "unknown GGUF value type")
    refusesGGUF(GGUFBytes.file(tensors: [], kv: [("k", 7, { $0.b.append(5) })], data: 0), "bool")
    refusesGGUF(GGUFBytes.file(tensors: [], kv: [("k", 4, { $0.u32(1) }), ("k", 4, { $0.u32(1) })], data: 0), "twice")
    refusesGGUF(GGUFBytes.file(tensors: [("w", [8, 1, 1, 1, 1], 0, 0)], data: 32), "dimensions")
    refusesGGUF(GGUFBytes.file(tensors: [("w", [8], 0, 0)], kv: [("general.alignment", 4, { $0.u32(3) })], data: 32), "power of two")
    var g = GGUFBytes(); g.u32(3); g.u64(UInt64.max); g.u64(0)
    refusesGGUF(g.b, "more than the file can hold")
}

// MARK: fuzzing

/// Seeded random mutation of real headers: every mutated file either parses or is refused with
/// a CoreError; none may crash (a trap ends the test process), hang or allocate wildly.
/// Repeat a longer run with SERVEFIT_FUZZ_ITERATIONS=200000 SERVEFIT_FUZZ_SEED=7 swift test --filter fuzz;
/// with SERVEFIT_FUZZ_SAVE=DIR each input is written to DIR/current.bin before parsing, so a
/// crash leaves its input behind for Fixtures/corpus/.
@Test func fuzzParsersWithMutatedHeaders() throws {
    let env = ProcessInfo.processInfo.environment
    let iterations = Int(env["SERVEFIT_FUZZ_ITERATIONS"] ?? "") ?? 3000
    var rng = SplitMix(seed: UInt64(env["SERVEFIT_FUZZ_SEED"] ?? "") ?? 20261122)
    let seeds: [[UInt8]] = try [
        Array(bytes(fixtures.appendingPathComponent("tiny-llama-q8_0.gguf")).prefix(8192)),
        Array(bytes(fixtures.appendingPathComponent("tiny-llama-q4_k_m.gguf")).prefix(8192)),
        Array(bytes(fixtures.appendingPathComponent("tiny-llama-awq/model.safetensors")).prefix(12000)),
        Array(bytes(fixtures.appendingPathComponent("tiny-llama-fp8/model.safetensors")).prefix(8000)),
    ]
    let save = env["SERVEFIT_FUZZ_SAVE"]
    var parsed = 0, refused = 0
    for _ in 0..<iterations {
        var b = seeds[Int(rng.next() % UInt64(seeds.count))]
        let edits = 1 + Int(rng.next() % 8)
        for _ in 0..<edits {
            guard !b.isEmpty else { break }
            let i = Int(rng.next() % UInt64(b.count))
            switch rng.next() % 6 {
            case 0: b[i] = UInt8(truncatingIfNeeded: rng.next())
            case 1: b[i] ^= 1 << UInt8(rng.next() % 8)
            case 2: b.removeSubrange(i..<min(b.count, i + Int(rng.next() % 64)))
            case 3: b.insert(contentsOf: (0..<Int(rng.next() % 16)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: i)
            case 4: for k in i..<min(b.count, i + 8) { b[k] = 0xFF }   // huge lengths and counts
            default: b = Array(b.prefix(i))                              // truncation
            }
        }
        if let save { try? Data(b).write(to: URL(fileURLWithPath: save).appendingPathComponent("current.bin")) }
        for parse in [parseGGUF, parseSafetensors] {
            do { _ = try parse(b); parsed += 1 } catch is CoreError { refused += 1 }
        }
    }
    #expect(parsed + refused == iterations * 2)
    #expect(refused > iterations)  // most mutations break a header
}

func parseGGUF(_ b: [UInt8]) throws -> HeaderInfo { var r = ArrayReader(b); return try GGUF.read(&r) }
func parseSafetensors(_ b: [UInt8]) throws -> HeaderInfo { var r = ArrayReader(b); return try SafeTensors.read(&r) }

/// Inputs that once broke a parser, or were built to: each must be refused or parsed, not crash.
@Test func regressionCorpus() throws {
    let dir = fixtures.appendingPathComponent("corpus")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".bin") }.sorted()
    #expect(files.count >= 5)
    for f in files {
        let b = try bytes(dir.appendingPathComponent(f))
        for parse in [parseGGUF, parseSafetensors] {
            do { _ = try parse(b) } catch is CoreError {} catch { Issue.record("\(f): \(error)") }
        }
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
