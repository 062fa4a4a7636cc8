import Foundation
import Testing
import ServefitCore

/// Splits a shell line into arguments: spaces separate, double or single quotes group, a
/// trailing `# comment` is dropped.
func shellWords(_ line: String) -> [String] {
    var out: [String] = [], cur = "", quote: Character?, started = false
    for ch in line {
        if let q = quote {
            if ch == q { quote = nil } else { cur.append(ch) }
        } else if ch == "\"" || ch == "'" {
            quote = ch; started = true
        } else if ch == " " {
            if started || !cur.isEmpty { out.append(cur) }
            cur = ""; started = false
        } else if ch == "#" && cur.isEmpty && !started {
            break
        } else {
            cur.append(ch)
        }
    }
    if started || !cur.isEmpty { out.append(cur) }
    return out
}

/// The `servefit …` commands of a text's examples, in order.
func exampleCommands(_ text: String, codeBlocksOnly: Bool) -> [[String]] {
    var inBlock = false, out: [[String]] = [], pending = ""
    for raw in text.components(separatedBy: "\n") {
        var line = raw.trimmingCharacters(in: .whitespaces)
        // A shell continuation joins the next line (how long examples stay copy-pasteable).
        if line.hasSuffix("\\") { pending += String(line.dropLast()) + " "; continue }
        line = pending + line
        pending = ""
        if line.hasPrefix("```") { inBlock.toggle(); continue }
        if codeBlocksOnly && !inBlock { continue }
        var words = shellWords(line)
        if words.first == "swift", words.count > 2, words[1] == "run" { words.removeFirst(2) }
        guard words.first == "servefit", words.count > 1 else { continue }
        out.append(Array(words.dropFirst()))
    }
    return out
}

/// Examples that need what a test machine does not have: local checkpoints, a long-running server
/// (serve; mcp, which talks on stdin: MCPTests drives it).
func runnable(_ args: [String]) -> Bool {
    !args.contains { $0.hasPrefix("./") || $0.hasPrefix("/srv") || $0 == ">" } && args.first != "serve" && args.first != "mcp"
        && !args.contains("--variant")  // a variant comes from a local checkpoint imported first
        && !args.contains { $0.hasPrefix("hf:") } && args != ["inspect", "--cache"]  // the Hub: HubTests runs them against its loopback Hub
}

/// Every launch line a command printed is one its engine would start.
func checkLaunchLines(_ out: String, db: String, context: String) throws {
    for raw in out.components(separatedBy: "\n") {
        var line = raw.trimmingCharacters(in: .whitespaces)
        if line.hasPrefix("launch: ") { line = String(line.dropFirst(8)) }
        guard line.hasPrefix("vllm serve ") || line.hasPrefix("llama-server "), let l = ParsedLaunch(line) else { continue }
        guard l.engine == .vllm else { continue }  // a GGUF file name does not name its catalog model
        let shown = try sf(["model", "show", l.model, "--format", "json"], db: db)
        #expect(shown.code == 0, "\(context): launch line names \(l.model), not in the catalog")
        guard shown.code == 0 else { continue }
        let model = try JSONDecoder().decode(Model.self, from: Data(shown.out.utf8))
        #expect(l.problem(model: model, gpu: nil) == nil, "\(context): \(line) — \(l.problem(model: model, gpu: nil) ?? "")")
    }
}

@Test func readmeExamplesRunAndTheirLaunchLinesAreValid() throws {
    let readme = try String(contentsOf: repoRootURL().appendingPathComponent("README.md"), encoding: .utf8)
    let commands = exampleCommands(readme, codeBlocksOnly: true).filter(runnable)
    #expect(commands.count >= 25)
    let db = try tempDB()
    for args in commands {
        let r = try sf(args, db: db)
        #expect(r.code == 0, "servefit \(args.joined(separator: " ")) exited \(r.code): \(r.err)")
        try checkLaunchLines(r.out, db: db, context: "README: servefit \(args.joined(separator: " "))")
    }
}

@Test func helpExamplesRunAndTheirLaunchLinesAreValid() throws {
    let top = try sf(["--help"], db: try tempDB())
    let subcommands = ["estimate", "rank", "best-gpu", "compare", "scenario", "inspect", "model", "gpu", "price", "history", "db", "token"]
    // Each help page's examples run in order on a catalog of their own.
    var pages = [exampleCommands(top.out, codeBlocksOnly: false)]
    for s in subcommands {
        let h = try sf([s, "--help"], db: try tempDB())
        pages.append(exampleCommands(h.out, codeBlocksOnly: false))
        // No example line is long enough to be wrapped mid-command in an 80-column terminal.
        for line in h.out.components(separatedBy: "\n") where line.hasPrefix("  servefit ") || line.hasPrefix("    --") {
            #expect(line.count <= 80, "\(s) --help: an example line of \(line.count) characters wraps: \(line)")
        }
    }
    #expect(pages.joined().filter(runnable).count >= 15)
    for page in pages {
        let db = try tempDB()
        for args in page.filter(runnable) {
            let r = try sf(args, db: db)
            #expect(r.code == 0, "servefit \(args.joined(separator: " ")) exited \(r.code): \(r.err)")
            try checkLaunchLines(r.out, db: db, context: "--help: servefit \(args.joined(separator: " "))")
        }
    }
}

func repoRootURL() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
