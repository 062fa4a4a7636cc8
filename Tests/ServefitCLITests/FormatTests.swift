import Foundation
import Testing

/// RFC 4180: fields split on commas, quoted fields may hold commas, quotes ("") and newlines.
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = "", quoted = false, afterQuote = false
    var chars = Array(text).makeIterator()
    while let c = chars.next() {
        if quoted {
            if c == "\"" { quoted = false; afterQuote = true } else { field.append(c) }
            continue
        }
        switch c {
        case "\"" where afterQuote: field.append("\""); quoted = true; afterQuote = false
        case "\"" where field.isEmpty: quoted = true
        case ",": row.append(field); field = ""; afterQuote = false
        case "\n": row.append(field); rows.append(row); row = []; field = ""; afterQuote = false
        default: field.append(c); afterQuote = false
        }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

/// A JSON value as the text a CSV cell holds: nested objects as parent_child keys.
func flatJSON(_ o: [String: Any], _ prefix: String = "") -> [String: Any] {
    var out: [String: Any] = [:]
    for (k, v) in o {
        let key = prefix.isEmpty ? k : prefix + "_" + k
        if let n = v as? [String: Any] { out.merge(flatJSON(n, key)) { a, _ in a } } else { out[key] = v }
    }
    return out
}

/// `--format csv` and `--format json` of the list commands carry the same rows, the CSV header
/// names JSON keys, and each cell is the JSON value bare (numbers in the JSON's units, no "GiB",
/// "GB/s" or "$"), parsed back by a standard CSV reading.
@Test func csvAndJSONCarryTheSameRowsAndKeys() throws {
    let db = try tempDB()
    _ = try sf(["db", "seed"], db: db)
    // Every read command, on a catalog with a scenario, a measurement and a token to show.
    #expect(try sf(["scenario", "save", "chat-8b", "--model", "llama-3.1-8b-instruct", "--max-tpot", "50ms"], db: db).code == 0)
    #expect(try sf(["scenario", "save", "chat-32b", "--model", "qwen3-32b", "--max-tpot", "50ms"], db: db).code == 0)
    #expect(try sf(["measure", "import", fixture("vllm_bench_serve_result.json"), "--gpu", "h100-sxm", "--gpus", "4"], db: db).code == 0)
    #expect(try sf(["token", "create", "--name", "fmt", "--role", "read"], db: db).code == 0)
    let read: [[String]] = [
        ["model", "list"], ["model", "show", "llama-2-7b"], ["model", "search", "llama-3.1"], ["gpu", "list"], ["gpu", "show", "h100-sxm"],
        ["price", "list"], ["price", "list", "--gpu", "h100-sxm"],
        ["estimate", "--model", "llama-3.1-8b", "--gpu", "l4", "--context", "2048,8192", "--batch", "1,4"],
        ["estimate", "--model", fixtureDir + "/tiny-llama-q8_0.gguf", "--engine", "llama.cpp"],
        ["rank", "--model", "llama-3.1-8b-instruct", "--top", "3"], ["rank", "--model", "llama-3.1-8b-instruct", "--top", "2", "--traffic", "5"],
        ["best-gpu", "--model", "llama-3.1-8b-instruct"],
        ["compare", "--model", "llama-3.1-8b-instruct,qwen2.5-7b-instruct", "--gpu", "l4,h100-sxm"],
        ["scenario", "list"], ["scenario", "show", "chat-8b"], ["scenario", "run", "chat-8b"], ["scenario", "compare", "chat-8b", "chat-32b"],
        ["history", "--limit", "5"], ["measure", "list"], ["measure", "check"], ["token", "list"],
        ["inspect", fixtureDir + "/tiny-llama-awq"], ["inspect", fixtureDir + "/tiny-llama-q8_0.gguf"],
    ]
    for cmd in read {
        let j = try sf(cmd + ["--format", "json"], db: db), c = try sf(cmd + ["--format", "csv"], db: db)
        #expect(j.code == 0 && c.code == 0, "\(cmd)")
        let parsed = try JSONSerialization.jsonObject(with: Data(j.out.utf8))
        let objects = ((parsed as? [[String: Any]]) ?? [parsed as? [String: Any] ?? [:]]).map { flatJSON($0) }
        let table = parseCSV(c.out)
        guard let header = table.first else { Issue.record("\(cmd): no CSV"); continue }
        let rows = table.dropFirst()
        #expect(rows.count == objects.count && !objects.isEmpty, "\(cmd): \(rows.count) CSV rows, \(objects.count) JSON")
        #expect(rows.allSatisfy { $0.count == header.count }, "\(cmd): ragged rows")
        let keys = Set(objects.flatMap(\.keys))
        for h in header { #expect(keys.contains(h), "\(cmd): CSV column \(h) is no JSON key") }
        for (row, o) in zip(rows, objects) {
            for (h, cell) in zip(header, row) {
                switch o[h] {
                case nil, is NSNull: #expect(cell.isEmpty, "\(cmd) \(h): '\(cell)' where JSON has none")
                case let s as String: #expect(cell == s, "\(cmd) \(h): '\(cell)' vs '\(s)'")
                case let n as NSNumber:
                    if cell == "true" || cell == "false" { #expect(n.boolValue == (cell == "true")) } else {
                        #expect(Double(cell) == n.doubleValue, "\(cmd) \(h): '\(cell)' is not the number \(n)")
                    }
                case let list as [Any]:
                    let back = try JSONSerialization.jsonObject(with: Data(cell.utf8)) as? [Any]
                    #expect(back?.count == list.count, "\(cmd) \(h): a list is its JSON text")
                default: break
                }
            }
        }
    }
}

/// Shell completion (`servefit --generate-completion-script bash|zsh|fish`) offers the catalog's
/// own slugs: the shells call `servefit ---completion …` with the words typed so far.
@Test func shellCompletionOffersCatalogSlugs() throws {
    let db = try tempDB()
    #expect(try sf(["gpu", "list"], db: db).code == 0)  // the catalog exists (completion never creates one)
    let models = try sf(["---completion", "estimate", "--", "--model", "3", "9", "servefit", "estimate", "--model", "llama-3.1"], db: db)
    let m = models.out.split(separator: "\n").map(String.init)
    #expect(m.contains("llama-3.1-8b-instruct") && m.allSatisfy { $0.lowercased().hasPrefix("llama-3.1") }, "\(models.out)")
    // A comma list completes its last item.
    let gpus = try sf(["---completion", "rank", "--", "--gpu", "3", "9", "servefit", "rank", "--gpu", "l4,h100-s"], db: db)
    #expect(gpus.out.split(separator: "\n").map(String.init) == ["l4,h100-sxm"], "\(gpus.out)")
    #expect(try sf(["--generate-completion-script", "bash"], db: db).out.contains("---completion"))
    // No catalog, no suggestions, and none is created.
    let none = FileManager.default.temporaryDirectory.appendingPathComponent("sf-none-\(UUID().uuidString).sqlite").path
    #expect(try sf(["---completion", "estimate", "--", "--model", "3", "1", "servefit", "estimate", "--model", "l"], db: none).out.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: none))
}

/// Every option, flag and argument of every command says what it is (ArgumentParser's own
/// description of the tool, `--experimental-dump-help`).
@Test func everyOptionHasHelp() throws {
    let dump = try sf(["--experimental-dump-help"], db: try tempDB())
    let root = try #require((try json(dump.out) as? [String: Any])?["command"] as? [String: Any])
    var missing: [String] = [], seen = 0
    func walk(_ c: [String: Any], _ path: String) {
        for a in c["arguments"] as? [[String: Any]] ?? [] {
            let name = (a["preferredName"] as? [String: Any])?["name"] as? String ?? a["valueName"] as? String ?? "?"
            if ["help", "version", "h"].contains(name) || (a["shouldDisplay"] as? Bool) == false { continue }
            seen += 1
            if ((a["abstract"] as? String) ?? "").trimmingCharacters(in: .whitespaces).isEmpty { missing.append("\(path) \(name)") }
        }
        for s in c["subcommands"] as? [[String: Any]] ?? [] where s["commandName"] as? String != "help" {  // ArgumentParser's own
            walk(s, path + " " + (s["commandName"] as? String ?? "?"))
        }
    }
    walk(root, "servefit")
    #expect(seen > 200)
    #expect(missing.isEmpty, "no help: \(missing.joined(separator: "; "))")
}

/// Unknown names get the nearest ones; names differing only in case are the same name.
@Test func unknownNamesGetSuggestionsAndCaseDoesNotMatter() throws {
    let db = try tempDB()
    let gpu = try sf(["estimate", "--model", "llama-2-7b", "--gpu", "h100"], db: db)
    #expect(gpu.code == 66 && gpu.err.contains("did you mean h100-nvl, h100-sxm, h100-pcie?"), "\(gpu.err)")
    let model = try sf(["estimate", "--model", "llama-2-7bb"], db: db)
    #expect(model.code == 66 && model.err.contains("did you mean llama-2-7b"), "\(model.err)")
    let provider = try sf(["rank", "--model", "llama-3.1-8b-instruct", "--provider", "lamda"], db: db)
    #expect(provider.code == 64 && provider.err.contains("did you mean Lambda?"), "\(provider.err)")
    let format = try sf(["estimate", "--model", "llama-2-7b", "--weights", "q4km"], db: db)
    #expect(format.code == 64 && format.err.contains("did you mean Q4_K_M"), "\(format.err)")
    #expect(try sf(["estimate", "--model", "Llama-2-7B"], db: db).code == 0)
    #expect(try sf(["model", "show", "META-LLAMA/llama-2-7b-hf"], db: db).code == 0)
    #expect(try sf(["estimate", "--model", "llama-2-7b", "--gpu", "H100-SXM"], db: db).code == 0)
    #expect(try sf(["rank", "--model", "llama-3.1-8b-instruct", "--provider", "LAMBDA", "--top", "1"], db: db).code == 0)
}
