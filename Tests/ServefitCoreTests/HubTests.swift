import Foundation
import Testing
@testable import ServefitCore

@Test func hubReferencesParseAsUsersWriteThem() throws {
    let a = try #require(try HubReference.parse("hf:Qwen/Qwen3-8B"))
    #expect(a.repo == "Qwen/Qwen3-8B" && a.revision == "main" && a.file == nil && !a.revisionGiven)
    let b = try #require(try HubReference.parse("hf:Qwen/Qwen2.5-7B-Instruct-GGUF:Q4_K_M@refs/pr/1"))
    #expect(b.repo == "Qwen/Qwen2.5-7B-Instruct-GGUF" && b.file == "Q4_K_M" && b.revision == "refs/pr/1")
    let c = try #require(try HubReference.parse("https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct@v1.0:Q8_0"))
    #expect(c.repo == "meta-llama/Llama-3.1-8B-Instruct" && c.revision == "v1.0" && c.file == "Q8_0")
    #expect(try HubReference.parse("llama-3.1-8b-instruct") == nil)
    #expect(HubReference.pathSegment("refs/pr/1") == "refs%2Fpr%2F1")
    #expect(HubReference.filePath("q4/model q.gguf") == "q4/model%20q.gguf")
    for bad in ["hf:", "hf:a/b/c", "hf:a--b/c", "hf:../x", "hf:a/b@", "hf:a/b@x..y", "hf:-a/b", "hf:a/" + String(repeating: "x", count: 100), "hf:a b/c"] {
        #expect(throws: CoreError.self, "\(bad)") { _ = try HubReference.parse(bad) }
    }
}

@Test func aRepoListingBecomesItsCheckpoints() throws {
    func f(_ p: String, _ n: Int64 = 10) -> HubFile { HubFile(path: p, size: n, lfs: p.hasSuffix(".gguf") || p.hasSuffix(".safetensors")) }
    let gguf = HubLayout.checkpoints([f("README.md"), f("qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf"), f("qwen2.5-7b-instruct-q4_k_m-00002-of-00002.gguf"),
                                      f("qwen2.5-7b-instruct-q8_0.gguf"), f("mmproj-model-f16.gguf"), f("UD-Q2_K_XL/Model-UD-Q2_K_XL.gguf")])
    #expect(gguf.map(\.name) == ["Q4_K_M", "Q8_0", "UD-Q2_K_XL"])
    #expect(gguf[0].files.count == 2 && gguf[0].bytes == 20)
    #expect(try HubLayout.pick(gguf, file: nil, repo: "r").name == "Q4_K_M")
    #expect(try HubLayout.pick(gguf, file: "q8_0", repo: "r").name == "Q8_0")
    #expect(throws: CoreError.self) { _ = try HubLayout.pick(gguf, file: "Q5_K_M", repo: "r") }
    let st = HubLayout.checkpoints([f("config.json"), f("model.safetensors.index.json"), f("model-00001-of-00002.safetensors"), f("model-00002-of-00002.safetensors"),
                                    f("original/consolidated.safetensors")])
    #expect(st.count == 1 && st[0].kind == .safetensors && st[0].files.count == 2 && st[0].index == "model.safetensors.index.json")
}

@Test func theHubsListingsAreReadStrictly() throws {
    let tree = #"[{"type":"directory","path":"q4","oid":"x","size":0},{"type":"file","path":"q4/m.gguf","oid":"y","size":5,"lfs":{"oid":"z","size":4000000000,"pointerSize":134}}]"#
    let files = try HubTree.parse(Array(tree.utf8))
    #expect(files == [HubFile(path: "q4/m.gguf", size: 4_000_000_000, lfs: true)])
    for bad in [#"{"a":1}"#, #"[{"type":"file","path":"../etc/passwd","size":1}]"#, #"[{"type":"file","path":"/abs","size":1}]"#,
                #"[{"type":"file","path":"a"}]"#, #"[{"type":"file","path":"a","size":-1}]"#, #"[{"type":"file","path":"a","size":1,"size":2}]"#] {
        #expect(throws: CoreError.self, "\(bad)") { _ = try HubTree.parse(Array(bad.utf8)) }
    }
    #expect(HubTree.nextLink(#"<https://huggingface.co/api/models/a/b/tree/main?cursor=xyz>; rel="next""#) == "https://huggingface.co/api/models/a/b/tree/main?cursor=xyz")
    #expect(HubTree.nextLink(nil) == nil)
    let info = try HubRepoInfo.parse(Array(#"{"id":"a/b","sha":"0123456789abcdef0123456789abcdef01234567","gated":"manual","private":false,"siblings":[{"rfilename":"config.json"}]}"#.utf8))
    #expect(info.gated && info.siblings == ["config.json"])
    #expect(throws: CoreError.self) { _ = try HubRepoInfo.parse(Array(#"{"sha":"main"}"#.utf8)) }
}

@Test func aPrefixReaderAsksForMoreInsteadOfFailing() throws {
    var r = PrefixReader([1, 2, 3, 4], size: 100)
    #expect(try r.read(2) == [1, 2])
    #expect(throws: PrefixReader.NeedMore.self) { _ = try r.read(8) }
    var s = PrefixReader([1, 2], size: 4)
    #expect(throws: CoreError.self) { _ = try s.read(8) }  // past the file itself: bad data, not more bytes
}
