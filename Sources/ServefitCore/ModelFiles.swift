import Foundation

/// A source of bytes read front to back (a file handle in the CLI, an array in tests). Parsers
/// read only headers through it and never ask for tensor data.
public protocol ByteReader {
    /// Total size of the file, for bounds checks.
    var size: Int64 { get }
    /// Bytes consumed so far.
    var position: Int64 { get }
    /// Exactly `count` bytes, or an error at end of file.
    mutating func read(_ count: Int) throws -> [UInt8]
    /// Moves past `count` bytes without keeping them.
    mutating func skip(_ count: Int64) throws
}

public struct ArrayReader: ByteReader {
    let bytes: [UInt8]
    public private(set) var position: Int64 = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var size: Int64 { Int64(bytes.count) }
    public mutating func read(_ count: Int) throws -> [UInt8] {
        guard count >= 0, position + Int64(count) <= size else { throw CoreError.invalidInput("file is truncated (wanted \(count) bytes at offset \(position), file has \(size))") }
        let out = Array(bytes[Int(position)..<Int(position) + count])
        position += Int64(count)
        return out
    }
    public mutating func skip(_ count: Int64) throws {
        guard count >= 0, position + count <= size else { throw CoreError.invalidInput("file is truncated (wanted \(count) bytes at offset \(position), file has \(size))") }
        position += count
    }
}

/// One tensor as a header describes it.
public struct TensorEntry: Codable, Sendable, Equatable {
    public var name: String
    /// safetensors dtype (F16, BF16, F8_E4M3, I32, ...) or ggml type (Q4_K, F16, ...).
    public var dtype: String
    public var shape: [Int64]
    public var elements: Int64
    public var bytes: Int64
    /// Start of its data, from the start of the file.
    public var offset: Int64
}

/// What a weights file's header says, without its tensor data.
public struct HeaderInfo: Sendable {
    public var format: String  // "safetensors" or "gguf"
    public var tensors: [TensorEntry]
    /// safetensors `__metadata__`, or GGUF scalar metadata as text.
    public var metadata: [String: String]
    public var headerBytes: Int64
    public var fileSize: Int64
    /// GGUF only: the metadata values with types, arrays summarised.
    public var gguf: [String: GGUFValue] = [:]
    public var ggufVersion: Int?
}

// MARK: safetensors

public enum WeightHeaders {
    /// A weights file's header, by its magic: GGUF, else a .safetensors file (its name says so).
    public static func read<R: ByteReader>(_ r: inout R, first4: [UInt8], name: String) throws -> HeaderInfo {
        if first4 == Array("GGUF".utf8) { return try GGUF.read(&r) }
        guard name.hasSuffix(".safetensors") else {
            throw CoreError.invalidInput("\(name) is neither GGUF (no GGUF magic) nor a .safetensors file")
        }
        return try SafeTensors.read(&r)
    }
}

public enum SafeTensors {
    /// A header beyond this is refused: real ones are a few KB to a few MB.
    public static let maxHeaderBytes: Int64 = 100_000_000

    /// Bits per element of each safetensors dtype.
    public static let dtypeBits: [String: Int] = [
        "BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
        "I32": 32, "U32": 32, "F32": 32, "F64": 64, "I64": 64, "U64": 64, "C64": 64, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
    ]

    /// Reads the 8-byte little-endian header length and checks it against the file.
    public static func headerLength(_ first8: [UInt8], fileSize: Int64) throws -> Int {
        guard first8.count == 8, fileSize >= 8 else { throw CoreError.invalidInput("not a safetensors file: shorter than its 8-byte header length") }
        var n: UInt64 = 0
        for (i, b) in first8.enumerated() { n |= UInt64(b) << (8 * UInt64(i)) }
        guard n >= 2 else { throw CoreError.invalidInput("safetensors header length \(n) is too small") }
        guard n <= UInt64(maxHeaderBytes) else { throw CoreError.invalidInput("safetensors header length \(n) bytes exceeds the \(maxHeaderBytes)-byte limit") }
        guard Int64(n) <= fileSize - 8 else { throw CoreError.invalidInput("safetensors header length \(n) is larger than the file (\(fileSize) bytes)") }
        return Int(n)
    }

    /// Reads a whole safetensors header from a reader positioned at the start of the file.
    public static func read<R: ByteReader>(_ r: inout R) throws -> HeaderInfo {
        let n = try headerLength(try r.read(8), fileSize: r.size)
        return try parse(header: try r.read(n), fileSize: r.size)
    }

    /// Parses the JSON header (`n` bytes after the length) of a file of `fileSize` bytes.
    public static func parse(header: [UInt8], fileSize: Int64) throws -> HeaderInfo {
        let json = try StrictJSON.parse(header)
        guard let pairs = json.pairs else { throw CoreError.invalidInput("safetensors header is not a JSON object") }
        let dataStart = 8 + Int64(header.count)
        let dataSize = fileSize - dataStart
        var tensors: [TensorEntry] = []
        var metadata: [String: String] = [:]
        for (name, v) in pairs {
            if name == "__metadata__" {
                guard let m = v.pairs else { throw CoreError.invalidInput("__metadata__ must be an object of strings") }
                for (k, val) in m {
                    guard let s = val.string else { throw CoreError.invalidInput("__metadata__.\(k) must be a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let dtype = v["dtype"]?.string else { throw CoreError.invalidInput("tensor '\(name)': missing dtype") }
            guard let bits = dtypeBits[dtype] else { throw CoreError.invalidInput("tensor '\(name)': unknown dtype '\(dtype)'") }
            guard let shapeJ = v["shape"]?.array else { throw CoreError.invalidInput("tensor '\(name)': missing shape") }
            guard shapeJ.count <= 16 else { throw CoreError.invalidInput("tensor '\(name)': \(shapeJ.count) dimensions") }
            var shape: [Int64] = []
            var elements: Int64 = 1
            for d in shapeJ {
                guard let x = d.int64 else { throw CoreError.invalidInput("tensor '\(name)': shape must hold non-negative integers") }
                let (p, o) = elements.multipliedReportingOverflow(by: x)
                guard !o, p <= Int64.max / 64 else { throw CoreError.invalidInput("tensor '\(name)': shape \(shapeJ.compactMap(\.int64)) overflows") }
                elements = p
                shape.append(x)
            }
            guard let offs = v["data_offsets"]?.array, offs.count == 2, let begin = offs[0].int64, let end = offs[1].int64, begin <= end else {
                throw CoreError.invalidInput("tensor '\(name)': data_offsets must be [begin, end] with begin ≤ end")
            }
            guard (elements * Int64(bits)) % 8 == 0 else { throw CoreError.invalidInput("tensor '\(name)': \(elements) \(dtype) elements are not whole bytes") }
            let bytes = elements * Int64(bits) / 8
            guard end - begin == bytes else {
                throw CoreError.invalidInput("tensor '\(name)': \(dtype) \(shape) needs \(bytes) bytes, data_offsets give \(end - begin)")
            }
            guard end <= dataSize else { throw CoreError.invalidInput("tensor '\(name)': data [\(begin), \(end)) falls outside the file's \(dataSize) data bytes") }
            tensors.append(TensorEntry(name: name, dtype: dtype, shape: shape, elements: elements, bytes: bytes, offset: dataStart + begin))
        }
        try checkNoOverlap(tensors)
        return HeaderInfo(format: "safetensors", tensors: tensors, metadata: metadata, headerBytes: dataStart, fileSize: fileSize)
    }

    static func checkNoOverlap(_ tensors: [TensorEntry]) throws {
        let sorted = tensors.filter { $0.bytes > 0 }.sorted { $0.offset < $1.offset }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.offset + a.bytes > b.offset {
            throw CoreError.invalidInput("tensors '\(a.name)' and '\(b.name)' overlap in the file")
        }
    }

    /// Every tensor the index places in a shard is in that shard's header.
    public static func checkIndex(_ map: [String: String], headers: [(file: String, info: HeaderInfo)]) throws {
        var names: [String: Set<String>] = [:]
        for h in headers { names[h.file, default: []].formUnion(h.info.tensors.map(\.name)) }
        for (tensor, f) in map where !(names[f]?.contains(tensor) ?? false) {
            throw CoreError.invalidInput("index says \(tensor) is in \(f), but that file has no such tensor")
        }
    }

    /// `model.safetensors.index.json`: which shard holds each tensor.
    public static func parseIndex(_ bytes: [UInt8]) throws -> (totalSize: Int64?, weightMap: [String: String]) {
        let json = try StrictJSON.parse(bytes)
        guard let map = json["weight_map"]?.pairs else { throw CoreError.invalidInput("index has no weight_map object") }
        var out: [String: String] = [:]
        for (tensor, file) in map {
            guard let f = file.string, !f.isEmpty, !f.contains("/"), !f.contains("\\"), f != "..", f != "." else {
                throw CoreError.invalidInput("weight_map['\(tensor)'] must name a shard file in the same folder")
            }
            out[tensor] = f
        }
        return (json["metadata"]?["total_size"]?.int64, out)
    }
}

// MARK: GGUF

/// A GGUF metadata value. Long arrays (vocabularies) are kept as their type and length only.
public enum GGUFValue: Sendable, Equatable {
    case int(Int64)
    case uint(UInt64)
    case float(Double)
    case bool(Bool)
    case string(String)
    case array(type: UInt32, count: UInt64, values: [GGUFValue])

    public var text: String {
        switch self {
        case .int(let v): return String(v)
        case .uint(let v): return String(v)
        case .float(let v): return String(v)
        case .bool(let v): return String(v)
        case .string(let s): return s
        case .array(_, let n, let vals): return vals.count == Int(n) ? "[" + vals.map(\.text).joined(separator: ",") + "]" : "[\(n) items]"
        }
    }
    public var int: Int? {
        switch self {
        case .int(let v): return Int(exactly: v)
        case .uint(let v): return Int(exactly: v)
        case .array(_, _, let vals): return vals.compactMap(\.int).max()  // per-layer arrays: the largest
        default: return nil
        }
    }
}

/// ggml tensor types: (name, elements per block, bytes per block), as ggml lays them out.
public enum GGMLTypes {
    public static let table: [UInt32: (name: String, block: Int64, bytes: Int64)] = [
        0: ("F32", 1, 4), 1: ("F16", 1, 2), 2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20), 6: ("Q5_0", 32, 22), 7: ("Q5_1", 32, 24),
        8: ("Q8_0", 32, 34), 9: ("Q8_1", 32, 36), 10: ("Q2_K", 256, 84), 11: ("Q3_K", 256, 110), 12: ("Q4_K", 256, 144),
        13: ("Q5_K", 256, 176), 14: ("Q6_K", 256, 210), 15: ("Q8_K", 256, 292), 16: ("IQ2_XXS", 256, 66), 17: ("IQ2_XS", 256, 74),
        18: ("IQ3_XXS", 256, 98), 19: ("IQ1_S", 256, 50), 20: ("IQ4_NL", 32, 18), 21: ("IQ3_S", 256, 110), 22: ("IQ2_S", 256, 82),
        23: ("IQ4_XS", 256, 136), 24: ("I8", 1, 1), 25: ("I16", 1, 2), 26: ("I32", 1, 4), 27: ("I64", 1, 8), 28: ("F64", 1, 8),
        29: ("IQ1_M", 256, 56), 30: ("BF16", 1, 2), 34: ("TQ1_0", 256, 54), 35: ("TQ2_0", 256, 66), 39: ("MXFP4", 32, 17),
        40: ("NVFP4", 64, 36), 41: ("Q1_0", 128, 18),
    ]
}

public enum GGUF {
    public static let maxHeaderBytes: Int64 = 100_000_000
    public static let maxString: UInt64 = 16_000_000
    /// Arrays up to this length are kept; longer ones (vocabularies, merges) only counted.
    public static let keepArray: UInt64 = 64

    public static func read<R: ByteReader>(_ r: inout R) throws -> HeaderInfo {
        let magic = try r.read(4)
        guard magic == Array("GGUF".utf8) else { throw CoreError.invalidInput("not a GGUF file (magic \(magic.map { String(format: "%02x", $0) }.joined()))") }
        let version = try u32(&r)
        guard version == 2 || version == 3 else { throw CoreError.invalidInput("GGUF version \(version) is not supported (2 and 3 are)") }
        let tensorCount = try u64(&r), kvCount = try u64(&r)
        // Each tensor info and key/value takes at least 8 + 4 + 8 bytes: refuse counts the file cannot hold.
        guard tensorCount <= UInt64(r.size / 20), kvCount <= UInt64(r.size / 12) else {
            throw CoreError.invalidInput("GGUF claims \(tensorCount) tensors and \(kvCount) metadata entries, more than the file can hold")
        }
        var meta: [String: GGUFValue] = [:]
        for _ in 0..<kvCount {
            let key = try string(&r, limit: 65_535)
            if meta[key] != nil { throw CoreError.invalidInput("GGUF metadata key '\(key)' appears twice") }
            let type = try u32(&r)
            meta[key] = try value(&r, type: type, depth: 0)
            try budget(r)
        }
        var alignment: Int64 = 32
        if let a = meta["general.alignment"] {
            guard let v = a.int, v > 0, v <= 1 << 20, v & (v - 1) == 0 else { throw CoreError.invalidInput("general.alignment must be a power of two (got \(a.text))") }
            alignment = Int64(v)
        }
        var infos: [(name: String, type: UInt32, dims: [Int64], offset: UInt64)] = []
        var names = Set<String>()
        for _ in 0..<tensorCount {
            let name = try string(&r, limit: 65_535)
            guard names.insert(name).inserted else { throw CoreError.invalidInput("tensor '\(name)' appears twice") }
            let nd = try u32(&r)
            guard nd >= 1, nd <= 4 else { throw CoreError.invalidInput("tensor '\(name)': \(nd) dimensions (ggml allows 1-4)") }
            var dims: [Int64] = []
            for _ in 0..<nd {
                let d = try u64(&r)
                guard d <= UInt64(Int64.max) else { throw CoreError.invalidInput("tensor '\(name)': dimension \(d) overflows") }
                dims.append(Int64(d))
            }
            let type = try u32(&r)
            let offset = try u64(&r)
            infos.append((name, type, dims, offset))
            try budget(r)
        }
        let headerEnd = r.position
        let dataStart = (headerEnd + alignment - 1) / alignment * alignment
        let dataSize = r.size - dataStart
        guard dataSize >= 0 else { throw CoreError.invalidInput("file is truncated: no tensor data after the header") }
        var tensors: [TensorEntry] = []
        for t in infos {
            guard let gt = GGMLTypes.table[t.type] else { throw CoreError.invalidInput("tensor '\(t.name)': unknown ggml type \(t.type)") }
            var elements: Int64 = 1
            for d in t.dims {
                let (p, o) = elements.multipliedReportingOverflow(by: d)
                guard !o else { throw CoreError.invalidInput("tensor '\(t.name)': dimensions \(t.dims) overflow") }
                elements = p
            }
            guard t.dims[0] % gt.block == 0 else {
                throw CoreError.invalidInput("tensor '\(t.name)': row of \(t.dims[0]) is not a whole number of \(gt.name) blocks (\(gt.block))")
            }
            let (bytes, o) = (elements / gt.block).multipliedReportingOverflow(by: gt.bytes)
            guard !o else { throw CoreError.invalidInput("tensor '\(t.name)': size overflows") }
            guard t.offset <= UInt64(Int64.max), Int64(t.offset) % alignment == 0 else {
                throw CoreError.invalidInput("tensor '\(t.name)': offset \(t.offset) is not aligned to \(alignment)")
            }
            let off = Int64(t.offset)
            guard off <= dataSize, bytes <= dataSize - off else {
                throw CoreError.invalidInput("tensor '\(t.name)': data [\(off), \(off + bytes)) falls outside the file's \(dataSize) data bytes")
            }
            tensors.append(TensorEntry(name: t.name, dtype: gt.name, shape: t.dims, elements: elements, bytes: bytes, offset: dataStart + off))
        }
        try SafeTensors.checkNoOverlap(tensors)
        var text: [String: String] = [:]
        for (k, v) in meta { text[k] = v.text }
        return HeaderInfo(format: "gguf", tensors: tensors, metadata: text, headerBytes: headerEnd, fileSize: r.size, gguf: meta, ggufVersion: Int(version))
    }

    static func budget<R: ByteReader>(_ r: R) throws {
        if r.position > maxHeaderBytes { throw CoreError.invalidInput("GGUF header exceeds the \(maxHeaderBytes)-byte limit") }
    }

    static func value<R: ByteReader>(_ r: inout R, type: UInt32, depth: Int) throws -> GGUFValue {
        switch type {
        case 0: return .uint(UInt64(try r.read(1)[0]))
        case 1: return .int(Int64(Int8(bitPattern: try r.read(1)[0])))
        case 2: return .uint(UInt64(try le(&r, 2)))
        case 3: return .int(Int64(Int16(truncatingIfNeeded: try le(&r, 2))))
        case 4: return .uint(UInt64(try le(&r, 4)))
        case 5: return .int(Int64(Int32(truncatingIfNeeded: try le(&r, 4))))
        case 6: return .float(Double(Float(bitPattern: UInt32(try le(&r, 4)))))
        case 7:
            let b = try r.read(1)[0]
            guard b <= 1 else { throw CoreError.invalidInput("GGUF bool value \(b) is neither 0 nor 1") }
            return .bool(b == 1)
        case 8: return .string(try string(&r, limit: maxString))
        case 9:
            guard depth < 4 else { throw CoreError.invalidInput("GGUF arrays nested too deep") }
            let et = try u32(&r)
            let n = try u64(&r)
            let minSize: Int64 = [0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 8: 8, 9: 12, 10: 8, 11: 8, 12: 8][et] ?? 1
            guard [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].contains(et) else { throw CoreError.invalidInput("GGUF array of unknown type \(et)") }
            guard n <= UInt64((r.size - r.position) / minSize) else { throw CoreError.invalidInput("GGUF array of \(n) items is larger than the file") }
            var kept: [GGUFValue] = []
            if n <= keepArray {
                for _ in 0..<n { kept.append(try value(&r, type: et, depth: depth + 1)) }
            } else if et == 8 || et == 9 {
                for _ in 0..<n { _ = try skipValue(&r, type: et, depth: depth + 1); try budget(r) }
            } else {
                try r.skip(Int64(n) * minSize)
            }
            return .array(type: et, count: n, values: kept)
        case 10: return .uint(try u64(&r))
        case 11: return .int(Int64(bitPattern: try u64(&r)))
        case 12: return .float(Double(bitPattern: try u64(&r)))
        default: throw CoreError.invalidInput("unknown GGUF value type \(type)")
        }
    }

    static func skipValue<R: ByteReader>(_ r: inout R, type: UInt32, depth: Int) throws -> Bool {
        if type == 8 {
            let n = try u64(&r)
            guard n <= maxString else { throw CoreError.invalidInput("GGUF string of \(n) bytes exceeds the limit") }
            try r.skip(Int64(n))
            return true
        }
        _ = try value(&r, type: type, depth: depth)
        return true
    }

    static func string<R: ByteReader>(_ r: inout R, limit: UInt64) throws -> String {
        let n = try u64(&r)
        guard n <= limit else { throw CoreError.invalidInput("GGUF string of \(n) bytes exceeds the \(limit)-byte limit") }
        let b = try r.read(Int(n))
        guard StrictJSON.validUTF8(b) else { throw CoreError.invalidInput("GGUF string is not valid UTF-8") }
        return String(decoding: b, as: UTF8.self)
    }

    static func le<R: ByteReader>(_ r: inout R, _ n: Int) throws -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try r.read(n).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }
    static func u32<R: ByteReader>(_ r: inout R) throws -> UInt32 { UInt32(try le(&r, 4)) }
    static func u64<R: ByteReader>(_ r: inout R) throws -> UInt64 { try le(&r, 8) }
}
