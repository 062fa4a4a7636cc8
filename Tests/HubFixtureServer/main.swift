// A real HTTP server on 127.0.0.1 that lays files out the way the Hugging Face Hub does, for the
// tests (no internet here). Usage: hub-fixture-server ROOT; prints "port N" once listening.
//
// ROOT/ORG/NAME/ holds a repo's files (links to the reference writers' fixtures are fine);
// ROOT/ORG/NAME/.hub.json says how the repo behaves:
//   {"commit": "<40 hex>", "token": "hf_…" (gated: only this bearer token reads it),
//    "rate_limit_once": true (the repo's first request answers 429 with Retry-After: 1),
//    "hostile": "ignore-range" | "huge-length" | "stall" | "short-range"}
// Routes, as the Hub has them:
//   GET /api/models/ORG/NAME[/revision/REV]     model info: id, sha, siblings, gated, private
//   GET /api/models/ORG/NAME/tree/REV?recursive  the file listing, 3 entries a page (Link: rel="next")
//   GET /ORG/NAME/resolve/REV/PATH               small files served; .safetensors/.gguf 302 to /cdn/…
//   GET /cdn/ORG/NAME/COMMIT/PATH                the bytes, with Range (206, Content-Range)
// Unknown repos answer 401 with X-Error-Code: RepoNotFound (the Hub does not tell a missing repo
// from a private one), gated ones 401/403 GatedRepo, unknown revisions 404 RevisionNotFound,
// missing files 404 EntryNotFound.
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

let root = CommandLine.arguments.dropFirst().first ?? "."
let pageSize = 3

final class Seen: @unchecked Sendable {
    let lock = NSLock()
    var paths: Set<String> = []
    func first(_ p: String) -> Bool { lock.lock(); defer { lock.unlock() }; return paths.insert(p).inserted }
}
let seen = Seen()

struct RepoMeta: Decodable {
    var commit: String
    var token: String?
    var rate_limit_once: Bool?
    var hostile: String?
}

func meta(_ repo: String) -> RepoMeta? {
    guard let d = FileManager.default.contents(atPath: "\(root)/\(repo)/.hub.json") else { return nil }
    return try? JSONDecoder().decode(RepoMeta.self, from: d)
}

func files(_ repo: String) -> [(path: String, size: Int)] {
    let base = "\(root)/\(repo)"
    guard let e = FileManager.default.enumerator(atPath: base) else { return [] }
    var out: [(String, Int)] = []
    while let rel = e.nextObject() as? String {
        if rel.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
        let real = URL(fileURLWithPath: base + "/" + rel).resolvingSymlinksInPath().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isDir), !isDir.boolValue else { continue }
        let size = ((try? FileManager.default.attributesOfItem(atPath: real))?[.size] as? NSNumber)?.intValue ?? 0
        out.append((rel, size))
    }
    return out.sorted { $0.0 < $1.0 }
}

func isLFS(_ p: String) -> Bool { p.hasSuffix(".safetensors") || p.lowercased().hasSuffix(".gguf") }

func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
    var h = HTTPFields()
    h[HTTPField.Name("X-Error-Code")!] = code
    h[HTTPField.Name("X-Error-Message")!] = message
    h[.contentType] = "application/json"
    return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"\(message)\"}")))
}

func json(_ v: Any, headers: HTTPFields = [:]) -> Response {
    var h = headers
    h[.contentType] = "application/json"
    let d = (try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys])) ?? Data()
    return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: d)))
}

/// The repo's gate: nil to go on, else the Hub's answer.
func gate(_ repo: String, _ req: Request, _ path: String) -> (RepoMeta?, Response?) {
    guard let m = meta(repo) else { return (nil, error(.unauthorized, "RepoNotFound", "Repository not found")) }
    if m.rate_limit_once == true, seen.first(repo) {
        var h = HTTPFields()
        h[HTTPField.Name("Retry-After")!] = "1"
        return (m, Response(status: .tooManyRequests, headers: h))
    }
    if let t = m.token {
        let auth = req.headers[.authorization]
        if auth == nil { return (m, error(.unauthorized, "GatedRepo", "Access to model \(repo) is restricted. You must have access to it and be authenticated to access it. Please log in.")) }
        if auth != "Bearer \(t)" { return (m, error(.forbidden, "GatedRepo", "Access to model \(repo) is restricted and you are not in the authorized list.")) }
    }
    return (m, nil)
}

/// Every body byte range served, one line each (`repo/file first-last`), in ROOT/.served.log,
/// so a test can check that no weights were downloaded.
func logServed(_ repo: String, _ file: String, _ a: Int, _ b: Int) {
    let line = "\(repo)/\(file) \(a)-\(b)\n"
    let path = root + "/.served.log"
    if let h = FileHandle(forWritingAtPath: path) {
        h.seekToEndOfFile(); h.write(Data(line.utf8)); try? h.close()
    } else {
        FileManager.default.createFile(atPath: path, contents: Data(line.utf8))
    }
}

func serve(_ repo: String, _ file: String, _ m: RepoMeta, _ req: Request) async throws -> Response {
    let full = "\(root)/\(repo)/\(file)"
    let real = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
    guard !file.split(separator: "/").contains(where: { $0 == ".." || $0.hasPrefix(".") }),
          let size = ((try? FileManager.default.attributesOfItem(atPath: real))?[.size] as? NSNumber)?.intValue,
          let handle = FileHandle(forReadingAtPath: real) else { return error(.notFound, "EntryNotFound", "\(file) does not exist") }
    defer { try? handle.close() }
    // Bytes a..<b+1 from disk: shards may be sparse files of many GB, read only where asked.
    func bytes(_ a: Int, _ b: Int) throws -> Data {
        try handle.seek(toOffset: UInt64(a))
        return try handle.read(upToCount: b - a + 1) ?? Data()
    }
    var h = HTTPFields()
    h[HTTPField.Name("X-Repo-Commit")!] = m.commit
    h[.eTag] = "\"\(m.commit.prefix(16))-\(size)\""
    h[.acceptRanges] = "bytes"
    let weights = isLFS(file)
    switch m.hostile {
    case "huge-length" where file == "config.json":
        h[.contentLength] = "5000000000"
        return Response(status: .ok, headers: h, body: ResponseBody { w in
            try await w.write(ByteBuffer(string: "{\"model_type\":"))
            try await Task.sleep(nanoseconds: 2_000_000_000)
            try await w.finish(nil)
        })
    case "stall" where weights:
        return Response(status: .ok, headers: h, body: ResponseBody { w in
            try await Task.sleep(nanoseconds: 30_000_000_000)
            try await w.finish(nil)
        })
    case "ignore-range" where weights:
        logServed(repo, file, 0, size - 1)
        return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: try bytes(0, size - 1))))
    default: break
    }
    if let range = req.headers[.range], range.hasPrefix("bytes=") {
        let parts = range.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Int(parts[0]), a < size else {
            h[.contentRange] = "bytes */\(size)"
            return Response(status: .rangeNotSatisfiable, headers: h)
        }
        var b = Int(parts[1]).map { min($0, size - 1) } ?? size - 1
        if m.hostile == "short-range" && weights { b = max(a, b - 1) }
        h[.contentRange] = "bytes \(a)-\(b)/\(size)"
        logServed(repo, file, a, b)
        return Response(status: .partialContent, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: try bytes(a, b))))
    }
    guard size <= 50_000_000 else { return error(.badRequest, "TooLarge", "this test server sends large files by Range only") }
    logServed(repo, file, 0, size - 1)
    return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: try bytes(0, size - 1))))
}

let router = Router()
router.get("**") { req, _ -> Response in
    let path = req.uri.path
    var segs = path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
    if segs.first == "api", segs.count >= 4, segs[1] == "models" {
        let repo = segs[2] + "/" + segs[3]
        let (m0, stop) = gate(repo, req, path)
        if let stop { return stop }
        let m = m0!
        let rest = Array(segs.dropFirst(4))
        let rev = rest.count >= 2 ? rest[1] : "main"
        guard rev == "main" || rev == m.commit else { return error(.notFound, "RevisionNotFound", "Invalid rev id: \(rev)") }
        let fs = files(repo)
        if rest.first == "tree" {
            let start = Int(req.uri.queryParameters.get("cursor") ?? "0") ?? 0
            let page = fs.dropFirst(start).prefix(pageSize)
            var h = HTTPFields()
            if start + pageSize < fs.count {
                h[HTTPField.Name("Link")!] = "<\(path)?recursive=true&cursor=\(start + pageSize)>; rel=\"next\""
            }
            return json(page.map { f -> [String: Any] in
                var e: [String: Any] = ["type": "file", "path": f.path, "size": f.size, "oid": String(repeating: "0", count: 40)]
                if isLFS(f.path) { e["lfs"] = ["oid": String(repeating: "a", count: 64), "size": f.size, "pointerSize": 134] }
                return e
            }, headers: h)
        }
        return json(["id": repo, "modelId": repo, "sha": m.commit, "private": false, "gated": m.token == nil ? false : "manual",
                     "siblings": fs.map { ["rfilename": $0.path] }])
    }
    if segs.first == "cdn", segs.count >= 5 {
        let repo = segs[1] + "/" + segs[2]
        guard let m = meta(repo), segs[3] == m.commit else { return error(.notFound, "EntryNotFound", "no such object") }
        return try await serve(repo, segs.dropFirst(4).joined(separator: "/"), m, req)
    }
    if segs.count >= 5, segs[2] == "resolve" {
        let repo = segs[0] + "/" + segs[1]
        let (m0, stop) = gate(repo, req, path)
        if let stop { return stop }
        let m = m0!
        let rev = segs[3]
        guard rev == "main" || rev == m.commit else { return error(.notFound, "RevisionNotFound", "Invalid rev id: \(rev)") }
        let file = segs.dropFirst(4).joined(separator: "/")
        if isLFS(file) {
            guard files(repo).contains(where: { $0.path == file }) else { return error(.notFound, "EntryNotFound", "\(file) does not exist") }
            var h = HTTPFields()
            h[.location] = "/cdn/\(repo)/\(m.commit)/\(file)"
            h[HTTPField.Name("X-Repo-Commit")!] = m.commit
            h[HTTPField.Name("X-Linked-Size")!] = String(files(repo).first { $0.path == file }?.size ?? 0)
            return Response(status: .found, headers: h)
        }
        return try await serve(repo, file, m, req)
    }
    segs.removeAll()
    return error(.notFound, "RepoNotFound", "not found")
}

let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                      onServerRunning: { channel in
                          FileHandle.standardOutput.write(Data("port \(channel.localAddress?.port ?? 0)\n".utf8))
                      })
try await app.runService()
