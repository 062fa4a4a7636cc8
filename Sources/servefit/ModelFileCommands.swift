import ArgumentParser
import Foundation
import ServefitCore
import ServefitStore

/// Reads a file front to back in chunks: headers only, never the tensor data.
struct FileByteReader: ByteReader {
    let handle: FileHandle
    let size: Int64
    private(set) var position: Int64 = 0

    init(path: String) throws {
        guard let h = FileHandle(forReadingAtPath: path) else { throw CLIError(message: "cannot open \(path)", code: 66) }
        handle = h
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        size = (attrs[.size] as? NSNumber)?.int64Value ?? 0
    }

    mutating func read(_ count: Int) throws -> [UInt8] {
        guard count >= 0, position + Int64(count) <= size else {
            throw CoreError.invalidInput("file is truncated (wanted \(count) bytes at offset \(position), file has \(size))")
        }
        let data = try handle.read(upToCount: count) ?? Data()
        guard data.count == count else { throw CoreError.invalidInput("file ended early at offset \(position + Int64(data.count))") }
        position += Int64(count)
        return [UInt8](data)
    }

    /// Back to the start, for the parser once the magic bytes have said which one.
    mutating func rewind() throws {
        position = 0
        try handle.seek(toOffset: 0)
    }

    mutating func skip(_ count: Int64) throws {
        guard count >= 0, position + count <= size else {
            throw CoreError.invalidInput("file is truncated (wanted \(count) bytes at offset \(position), file has \(size))")
        }
        position += count
        try handle.seek(toOffset: UInt64(position))
    }
}

enum ModelFiles {
    static let maxConfigBytes = 10_000_000

    /// The inventory of a .gguf or .safetensors file, or of a folder (sharded checkpoints through
    /// model.safetensors.index.json), with the architecture from config.json where there is one.
    static func inventory(_ path: String, slug: String = "inspected") throws -> Inventory {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { throw CLIError(message: "no such file or folder: \(path)", code: 66) }
        let dir = isDir.boolValue ? path : (path as NSString).deletingLastPathComponent
        var files: [String] = []
        var config: [UInt8]?
        let configPath = (dir.isEmpty ? "." : dir) + "/config.json"
        if isDir.boolValue {
            let names = try fm.contentsOfDirectory(atPath: path).sorted()
            let index = path + "/model.safetensors.index.json"
            if fm.fileExists(atPath: index) {
                let (_, map) = try SafeTensors.parseIndex(try small(index))
                files = Array(Set(map.values)).sorted()
                for f in files where !fm.fileExists(atPath: path + "/" + f) {
                    throw CLIError(message: "model.safetensors.index.json names \(f), which is not in \(path)", code: 66)
                }
                let infos = try files.map { f -> (String, HeaderInfo) in (f, try header(path + "/" + f)) }
                for (tensor, f) in map where !(infos.first { $0.0 == f }!.1.tensors.contains { $0.name == tensor }) {
                    throw CoreError.invalidInput("index says \(tensor) is in \(f), but that file has no such tensor")
                }
                if fm.fileExists(atPath: configPath) { config = try small(configPath) }
                return try InventoryBuilder.build(headers: infos.map { (file: $0.0, info: $0.1) }, config: config, slug: slug)
            }
            files = names.filter { $0.hasSuffix(".safetensors") }
            if files.isEmpty {
                let ggufs = names.filter { $0.lowercased().hasSuffix(".gguf") }
                guard ggufs.count == 1 else {
                    throw CLIError(message: ggufs.isEmpty ? "no .safetensors or .gguf files in \(path)" : "\(path) holds \(ggufs.count) GGUF files; name one", code: 66)
                }
                files = ggufs
            }
            files = files.map { path + "/" + $0 }
        } else {
            files = [path]
        }
        if !files[0].lowercased().hasSuffix(".gguf"), fm.fileExists(atPath: configPath) { config = try small(configPath) }
        let infos = try files.map { (file: ($0 as NSString).lastPathComponent, info: try header($0)) }
        return try InventoryBuilder.build(headers: infos, config: config, slug: slug)
    }

    static func header(_ path: String) throws -> HeaderInfo {
        var r = try FileByteReader(path: path)
        let magic = try r.read(min(4, Int(r.size)))
        try r.rewind()
        if magic == Array("GGUF".utf8) { return try GGUF.read(&r) }
        guard path.hasSuffix(".safetensors") else {
            throw CoreError.invalidInput("\(path) is neither GGUF (no GGUF magic) nor a .safetensors file")
        }
        return try SafeTensors.read(&r)
    }

    static func small(_ path: String) throws -> [UInt8] {
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        if let n = (attrs[.size] as? NSNumber)?.intValue, n > maxConfigBytes {
            throw CoreError.invalidInput("\(path) is \(n) bytes; a config or index over \(maxConfigBytes) bytes is refused")
        }
        return [UInt8](try CLI.readFile(path))
    }
}

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
