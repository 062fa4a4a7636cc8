import ArgumentParser
import Foundation
import ServefitCore
import ServefitStore
import ServefitFiles
import ServefitHub

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Exact parameters and bytes of a checkpoint from its file headers (safetensors or GGUF); no weights are read.",
        discussion: """
            PATH is a .safetensors or .gguf file, or a folder (sharded checkpoints through
            model.safetensors.index.json; config.json beside the weights gives the architecture),
            or hf:ORG/NAME[@REVISION][:QUANT]: a Hub repo, read from the local Hugging Face cache
            when it is there, else from the Hub (HF_ENDPOINT, HF_TOKEN) by HTTP Range, headers
            only. A GGUF repo lists every quantisation with its exact bytes.

            Examples:
              servefit inspect ./Llama-3.1-8B-Instruct-AWQ
              servefit inspect ./qwen2.5-7b-instruct-q4_k_m.gguf --format json
              servefit inspect hf:Qwen/Qwen3-8B
              servefit inspect hf:Qwen/Qwen2.5-7B-Instruct-GGUF
              servefit inspect --cache
            """)
    @OptionGroup var fmt: FormatOption
    @Argument(help: "A weights file, a model folder, or hf:ORG/NAME[@REV][:QUANT].") var path: String?
    @Flag(help: "List the models in the local Hugging Face cache (HF_HUB_CACHE) with their sizes.") var cache = false

    func validate() throws {
        if cache == (path != nil) { throw ValidationError(cache ? "--cache takes no PATH" : "name a PATH or hf:ORG/NAME, or give --cache") }
    }

    func run() throws {
        try CLI.run {
            if cache { try listCache(); return }
            guard let path else { return }
            if let ref = try HubReference.parse(path) {
                let h = try ModelResolver.loadHub(ref, all: ref.file == nil)
                if fmt.format == .json { try CLI.printJSON(h); return }
                if fmt.format == .csv {  // one row per checkpoint read
                    try CLI.printCSV(h.read.map { HubCheckpointRow($0, hub: h) }, leading: ["repo", "commit", "checkpoint"])
                    return
                }
                print("\(h.pinned) (\(h.source == "cache" ? "local Hugging Face cache: \(h.cachePath ?? "")" : "read from the Hub by HTTP Range, headers only")): "
                      + "\(h.checkpoints.count) checkpoint\(h.checkpoints.count == 1 ? "" : "s")")
                for n in h.notes { print("note: \(n)") }
                if h.read.count == 1 {
                    print("")
                    printInventory(h.read[0].checkpoint.files.map(\.path).joined(separator: ", "), h.read[0].inventory)
                    return
                }
                print("")
                CLI.printTable(["checkpoint", "files", "parameters", "bytes", "size", "bits/weight", "quantization"], h.read.map { r in
                    [r.checkpoint.name, String(r.checkpoint.files.count), CLI.params(r.inventory.paramsTotal), String(r.inventory.weightsBytes),
                     Units.human(r.inventory.weightsBytes), Units.format(r.inventory.bitsPerWeight, 3), r.inventory.quantization]
                }, format: .table)
                if let m = h.architecture { print("\narchitecture: \(m.modelType), \(m.layers) layers, hidden \(m.hiddenSize ?? 0), heads \(m.heads)/\(m.kvHeads)") }
                print("estimate one: servefit estimate --model hf:\(h.repo):\(h.read[0].checkpoint.name) --engine llama.cpp")
                return
            }
            let inv = try ModelFiles.inventory(path)
            if fmt.format == .json { try CLI.printJSON(inv); return }
            if fmt.format == .csv { try CLI.printCSV([inv], leading: ["format", "files", "params_total", "weights_bytes", "quantization"]); return }
            printInventory(path, inv)
        }
    }

    func printInventory(_ label: String, _ inv: Inventory) {
        // CSV is the dtype table alone, one header row.
        if fmt.format != .csv {
            print("\(label): \(inv.format), \(inv.files.count) file\(inv.files.count == 1 ? "" : "s"), \(inv.tensorCount) tensors")
            print("parameters: \(inv.paramsTotal) (\(CLI.params(inv.paramsTotal)))")
            print("weights: \(inv.weightsBytes) bytes = \(Units.human(inv.weightsBytes)) = \(Units.gb(inv.weightsBytes, digits: 3)); \(Units.format(inv.bitsPerWeight, 3)) bits/weight"
                  + (inv.quantizationBytes > 0 ? " (scales, zeros and other quantisation metadata: \(Units.human(inv.quantizationBytes)))" : ""))
            print("quantization: \(inv.quantization) (estimate with --weights \(inv.weights))")
            if let m = inv.architecture { print("architecture: \(m.modelType), \(m.layers) layers, hidden \(m.hiddenSize ?? 0), heads \(m.heads)/\(m.kvHeads)") }
            if let c = inv.check { print("check: \(c.note)") }
            for n in inv.notes { print("note: \(n)") }
            print("")
        }
        CLI.printTable(["dtype", "tensors", "params", "bytes", "size"],
                       inv.byDType.sorted { $0.value.bytes > $1.value.bytes }.map {
                           [$0.key, String($0.value.tensors), String($0.value.params), String($0.value.bytes), Units.human($0.value.bytes)]
                       }, format: fmt.format)
    }

    func listCache() throws {
        let settings = try HubSettings.fromEnvironment()
        let entries = HubCache(dir: settings.cacheDir).list()
        switch fmt.format {
        case .json: try CLI.printJSON(entries)
        case .csv: try CLI.printCSV(entries)
        case .table:
            print("Hugging Face cache: \(settings.cacheDir) (\(entries.count) model snapshot\(entries.count == 1 ? "" : "s"))")
            guard !entries.isEmpty else { return }
            print("")
            CLI.printTable(["repo", "commit", "refs", "files", "size", "weights", "checkpoints"], entries.map {
                [$0.repo, String($0.commit.prefix(12)), $0.refs.joined(separator: ","), String($0.files), Units.human($0.bytes),
                 Units.human($0.weightsBytes), $0.checkpoints.joined(separator: ",")]
            }, format: .table)
        }
    }
}

/// One checkpoint of a Hub repo as a flat row (inspect hf:… --format csv).
struct HubCheckpointRow: Encodable {
    var repo: String, commit: String, source: String, checkpoint: String, kind: String, files: [String]
    var paramsTotal: Int64, weightsBytes: Int64, bitsPerWeight: Double, quantization: String, weights: String
    init(_ r: HubModel.Read, hub h: HubModel) {
        repo = h.repo; commit = h.commit; source = h.source; checkpoint = r.checkpoint.name; kind = r.checkpoint.kind.rawValue
        files = r.checkpoint.files.map(\.path); paramsTotal = r.inventory.paramsTotal; weightsBytes = r.inventory.weightsBytes
        bitsPerWeight = r.inventory.bitsPerWeight; quantization = r.inventory.quantization; weights = r.inventory.weights
    }
    enum CodingKeys: String, CodingKey {
        case repo, commit, source, checkpoint, kind, files, paramsTotal = "params_total", weightsBytes = "weights_bytes"
        case bitsPerWeight = "bits_per_weight", quantization, weights
    }
}
