import ArgumentParser
import Foundation
import ServefitCore
import ServefitStore
import ServefitFiles

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Exact parameters and bytes of a checkpoint from its file headers (safetensors or GGUF); no weights are read.",
        discussion: """
            PATH is a .safetensors or .gguf file, or a folder (sharded checkpoints through
            model.safetensors.index.json; config.json beside the weights gives the architecture).

            Examples:
              servefit inspect ./Llama-3.1-8B-Instruct-AWQ
              servefit inspect ./qwen2.5-7b-instruct-q4_k_m.gguf --format json
            """)
    @OptionGroup var fmt: FormatOption
    @Argument(help: "A weights file or a model folder.") var path: String
    @Flag(help: "List every tensor.") var tensors = false

    func run() throws {
        try CLI.run {
            let inv = try ModelFiles.inventory(path)
            if fmt.format == .json { try CLI.printJSON(inv); return }
            print("\(path): \(inv.format), \(inv.files.count) file\(inv.files.count == 1 ? "" : "s"), \(inv.tensorCount) tensors")
            print("parameters: \(inv.paramsTotal) (\(CLI.params(inv.paramsTotal)))")
            print("weights: \(inv.weightsBytes) bytes = \(Units.human(inv.weightsBytes)) = \(Units.gb(inv.weightsBytes, digits: 3)); \(Units.format(inv.bitsPerWeight, 3)) bits/weight"
                  + (inv.quantizationBytes > 0 ? " (scales, zeros and other quantisation metadata: \(Units.human(inv.quantizationBytes)))" : ""))
            print("quantization: \(inv.quantization) (estimate with --weights \(inv.weights))")
            if let m = inv.architecture { print("architecture: \(m.modelType), \(m.layers) layers, hidden \(m.hiddenSize ?? 0), heads \(m.heads)/\(m.kvHeads)") }
            if let c = inv.check { print("check: \(c.note)") }
            for n in inv.notes { print("note: \(n)") }
            print("")
            CLI.printTable(["dtype", "tensors", "params", "bytes", "size"],
                           inv.byDType.sorted { $0.value.bytes > $1.value.bytes }.map {
                               [$0.key, String($0.value.tensors), String($0.value.params), String($0.value.bytes), Units.human($0.value.bytes)]
                           }, format: fmt.format)
        }
    }
}
