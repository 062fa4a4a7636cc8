import Foundation
import ServefitCore

/// A local file or folder that is not there (or cannot be opened): exit 66, HTTP 404.
public enum FileError: Error, CustomStringConvertible, Sendable {
    case missing(String)
    public var description: String { switch self { case .missing(let m): return m } }
}

/// Reads a file front to back in chunks: headers only, never the tensor data.
public struct FileByteReader: ByteReader {
    let handle: FileHandle
    public let size: Int64
    public private(set) var position: Int64 = 0

    public init(path: String) throws {
        guard let h = FileHandle(forReadingAtPath: path) else { throw FileError.missing("cannot open \(path)") }
        handle = h
        // The size of what a link points at (the Hugging Face cache's snapshots link into blobs/).
        let attrs = try FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
        size = (attrs[.size] as? NSNumber)?.int64Value ?? 0
    }

    public mutating func read(_ count: Int) throws -> [UInt8] {
        guard count >= 0, position + Int64(count) <= size else {
            throw CoreError.invalidInput("file is truncated (wanted \(count) bytes at offset \(position), file has \(size))")
        }
        let data = try handle.read(upToCount: count) ?? Data()
        guard data.count == count else { throw CoreError.invalidInput("file ended early at offset \(position + Int64(data.count))") }
        position += Int64(count)
        return [UInt8](data)
    }

    /// Back to the start, for the parser once the magic bytes have said which one.
    public mutating func rewind() throws {
        position = 0
        try handle.seek(toOffset: 0)
    }

    public mutating func skip(_ count: Int64) throws {
        guard count >= 0, position + count <= size else {
            throw CoreError.invalidInput("file is truncated (wanted \(count) bytes at offset \(position), file has \(size))")
        }
        position += count
        try handle.seek(toOffset: UInt64(position))
    }
}

public enum ModelFiles {
    static let maxConfigBytes = 10_000_000

    /// The inventory of a .gguf or .safetensors file, or of a folder (sharded checkpoints through
    /// model.safetensors.index.json), with the architecture from config.json where there is one.
    public static func inventory(_ path: String, slug: String = "inspected") throws -> Inventory {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { throw FileError.missing("no such file or folder: \(path)") }
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
                    throw FileError.missing("model.safetensors.index.json names \(f), which is not in \(path)")
                }
                let infos = try files.map { f -> (file: String, info: HeaderInfo) in (f, try header(path + "/" + f)) }
                try SafeTensors.checkIndex(map, headers: infos)
                if fm.fileExists(atPath: configPath) { config = try small(configPath) }
                return try InventoryBuilder.build(headers: infos, config: config, slug: slug)
            }
            files = names.filter { $0.hasSuffix(".safetensors") }
            if files.isEmpty {
                let ggufs = names.filter { $0.lowercased().hasSuffix(".gguf") }
                guard ggufs.count == 1 else {
                    throw FileError.missing(ggufs.isEmpty ? "no .safetensors or .gguf files in \(path)" : "\(path) holds \(ggufs.count) GGUF files; name one")
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

    public static func header(_ path: String) throws -> HeaderInfo {
        var r = try FileByteReader(path: path)
        let magic = try r.read(min(4, Int(r.size)))
        try r.rewind()
        return try WeightHeaders.read(&r, first4: magic, name: path)
    }

    public static func small(_ path: String) throws -> [UInt8] {
        let attrs = try FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
        if let n = (attrs[.size] as? NSNumber)?.intValue, n > maxConfigBytes {
            throw CoreError.invalidInput("\(path) is \(n) bytes; a config or index over \(maxConfigBytes) bytes is refused")
        }
        guard let d = FileManager.default.contents(atPath: path) else { throw FileError.missing("cannot read \(path)") }
        return [UInt8](d)
    }
}
