import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServefitCore
import ServefitMCP
import ServefitServer
import ServefitStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the catalog, estimates and rankings over HTTP for a team.",
        discussion: """
            JSON API under /v1 (OpenAPI document at /openapi.json) and a web page at /.
            Writes need a token (servefit token create --name ci --role write); reads are open unless
            --require-token-for-reads. SIGINT or SIGTERM stops it gracefully.

            Examples:
              servefit serve --db team.sqlite --host 0.0.0.0 --port 8080
              servefit serve --port 0            # any free port; the address is printed
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Address to listen on (0.0.0.0 for every interface).") var host = "127.0.0.1"
    @Option(help: "Port (0: any free port).") var port = 8080
    @Flag(help: "Reads need a token too.") var requireTokenForReads = false
    @Option(help: "Largest request body in bytes.") var maxBodyBytes = 1 << 20
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"

    func run() async throws {
        guard (0...65535).contains(port) else { CLI.fail("--port must be 0-65535", code: 64) }
        guard maxBodyBytes > 0 else { CLI.fail("--max-body-bytes must be positive", code: 64) }
        var store: CatalogStore?
        try CLI.run { store = try global.open() }
        var config = ServerConfig()
        config.host = host
        config.port = port
        config.requireTokenForReads = requireTokenForReads
        config.maxBodyBytes = maxBodyBytes
        guard let level = Logger.Level(rawValue: logLevel) else { CLI.fail("unknown --log-level '\(logLevel)'", code: 64) }
        config.logLevel = level
        let path = global.databasePath, h = host
        let app = buildApplication(store: store!, config: config) { actualPort in
            FileHandle.standardOutput.write(Data("servefit: serving http://\(h):\(actualPort) (catalog \(path))\n".utf8))
        }
        do {
            try await app.runService()
        } catch {
            CLI.fail("server stopped: \(error)", code: 70)
        }
    }
}

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "API tokens for `servefit serve` (only a hash is stored).",
        discussion: """
            Examples:
              servefit token create --name ci-bot --role write      # prints the token once
              servefit token list
              servefit token revoke ci-bot
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print it (it cannot be shown again).")
        @OptionGroup var global: WriteOptions
        @OptionGroup var fmt: FormatOption
        @Option(help: "A name for the token (the change log's actor for its writes).") var name: String
        @Option(help: "read, write or admin.") var role: String
        func run() throws {
            try CLI.run {
                guard let r = APIToken.Role(rawValue: role.lowercased()) else { throw CLIError(message: "--role must be read, write or admin (got '\(role)')", code: 64) }
                let (t, secret) = try global.open().createToken(name: name, role: r, actor: global.who)
                if fmt.format == .json { try CLI.printJSON(NewToken(name: t.name, role: t.role.rawValue, token: secret)); return }
                print(secret)
                FileHandle.standardError.write(Data("servefit: token '\(t.name)' (\(t.role.rawValue)) created; it is shown only now\n".utf8))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (names, roles, prefixes; never the tokens).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var fmt: FormatOption
        func run() throws {
            try CLI.run {
                let all = try global.open().tokens()
                if fmt.format == .json { try CLI.printJSON(all); return }
                if fmt.format == .csv { try CLI.printCSV(all, leading: ["name", "role", "prefix"]); return }
                CLI.printTable(["name", "role", "prefix", "created", "by", "revoked"],
                               all.map { [$0.name, $0.role.rawValue, $0.prefix + "…", $0.createdAt, $0.createdBy, $0.revokedAt ?? "-"] }, format: fmt.format)
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token (kept, marked revoked, in the change log).")
        @OptionGroup var global: WriteOptions
        @Argument(help: "Token name.") var name: String
        func run() throws {
            try CLI.run {
                try global.open().revokeToken(name, actor: global.who)
                print("revoked token '\(name)'")
            }
        }
    }
}

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the catalog to agents over the Model Context Protocol (stdio).",
        discussion: """
            Tools: estimate, rank, best_gpu, compare, model_search, model_show, gpu_list, price_list,
            inspect (and price_add, scenario_save with --allow-writes, recorded as actor mcp); resources
            servefit://models and servefit://gpus. Register it with an MCP client as the command
            `servefit mcp --db PATH`.

            Example:
              servefit mcp --db team.sqlite --allow-writes
            """)
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Offer the writing tools (price_add, scenario_save).") var allowWrites = false

    func run() async throws {
        var store: CatalogStore?
        try CLI.run { store = try global.open() }
        guard let store else { return }
        try await ServefitMCP.run(store: store, allowWrites: allowWrites)
    }
}
