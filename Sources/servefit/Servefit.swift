import ArgumentParser
import Foundation
import ServefitCore
import ServefitStore

@main
struct Servefit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "servefit",
        abstract: "Which GPU, how many, at what precision, and what a million tokens cost.",
        discussion: """
            The catalog (models, GPUs, dated prices) lives in one SQLite file:
            --db PATH, env SERVEFIT_DB, or ~/.local/share/servefit/catalog.sqlite
            (created and seeded on first use).

            Examples:
              servefit estimate --model llama-2-7b --context 2048 --explain
              servefit estimate --model qwen3-32b --gpu h100-sxm --weights fp8 \\
                --context 12k
              servefit rank --model llama-3.1-8b-instruct --max-tpot 50ms
              servefit best-gpu --model llama-3.3-70b-instruct
              servefit scenario save chat-8b --model llama-3.1-8b-instruct \\
                --max-tpot 50ms
              servefit model list --family qwen3
              servefit price list --gpu h100-sxm --latest
            """,
        subcommands: [EstimateCommand.self, RankCommand.self, BestGPUCommand.self, CompareCommand.self, ScenarioCommand.self, ServeCommand.self, MCPCommand.self, TokenCommand.self, InspectCommand.self,
                      ModelCommand.self, GPUCommand.self, PriceCommand.self, MeasureCommand.self, CalibrateCommand.self, HistoryCommand.self,
                      DBCommand.self, ExportCommand.self, ImportCommand.self]
    )
}

// MARK: export / import / history

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write the whole catalog as one JSON document.",
                                                    discussion: "Example: servefit export > catalog.json")
    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

    func run() throws {
        try CLI.run {
            let doc = try global.open().export()
            let data = try doc.encoded()
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: data + Data("\n".utf8)) else {
                    throw CLIError(message: "cannot write \(output)", code: 70)
                }
            } else {
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Read a catalog document back, all-or-nothing.",
                                                    discussion: "Example: servefit import catalog.json --dry-run")
    @OptionGroup var global: WriteOptions
    @OptionGroup var fmt: FormatOption
    @Argument(help: "A JSON document as written by `servefit export`.") var file: String
    @Flag(help: "Report what would change, change nothing.") var dryRun = false

    func run() throws {
        try CLI.run {
            let doc = try CatalogDocument.decode(try CLI.readFile(file))
            let report = try global.open().importDocument(doc, dryRun: dryRun, actor: global.who)
            if fmt.format == .json { try CLI.printJSON(report); return }
            printReport(report, verb: dryRun ? "would import" : "imported")
        }
    }
}

func printReport(_ r: ChangeReport, verb: String) {
    let entities = Set(r.added.keys).union(r.changed.keys).union(r.unchanged.keys).union(r.skipped.keys).sorted()
    print("\(verb):" + (entities.isEmpty ? " nothing" : ""))
    for e in entities {
        print("  \(e): \(r.added[e] ?? 0) added, \(r.changed[e] ?? 0) changed, \(r.unchanged[e] ?? 0) unchanged"
              + ((r.skipped[e] ?? 0) > 0 ? ", \(r.skipped[e]!) skipped (your edits kept; --force overwrites)" : ""))
    }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show the change log (newest first).",
                                                    discussion: "Example: servefit history --entity price --limit 20")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var fmt: FormatOption
    @Option(help: "model, gpu, price, scenario, measurement or calibration.") var entity: String?
    @Option(help: "Only this key (slug, scenario name, price key).") var key: String?
    @Option(help: "At most this many entries.") var limit: WholeNumber = WholeNumber(50)

    func run() throws {
        try CLI.run {
            guard (1...10_000).contains(limit.value) else { throw CLIError(message: "--limit must be from 1 to 10000 (got \(limit.value))", code: 64) }
            let entries = try global.open().history(entity: entity, key: key, limit: limit.value)
            if fmt.format == .json { try CLI.printJSON(entries); return }
            if fmt.format == .csv { try CLI.printCSV(entries, leading: ["id", "at", "actor", "action", "entity", "key"]); return }
            CLI.printTable(["id", "at", "actor", "action", "entity", "key"],
                           entries.map { [String($0.id), $0.at, $0.actor, $0.action, $0.entity, $0.key] }, format: fmt.format)
        }
    }
}

// MARK: db

struct DBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "db", abstract: "Maintain the catalog database.",
                                                    subcommands: [Migrate.self, Seed.self, Check.self, Backup.self, Copy.self])

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or upgrade the schema (done on every open too).")
        @OptionGroup var global: GlobalOptions
        func run() throws {
            try CLI.run {
                let store = try CatalogStore.open(path: global.databasePath, seedIfNew: false)
                print("schema at \(try store.schemaVersion().joined(separator: ", ")) in \(store.location)")
            }
        }
    }

    struct Seed: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load the bundled reference data (idempotent; keeps your edits).")
        @OptionGroup var global: WriteOptions
        @OptionGroup var fmt: FormatOption
        @Flag(help: "Overwrite rows you edited and restore seed rows you removed.") var force = false
        func run() throws {
            try CLI.run {
                let r = try CatalogStore.open(path: global.databasePath, seedIfNew: false).seed(force: force, actor: global.who)
                if fmt.format == .json { try CLI.printJSON(r); return }
                printReport(r, verb: "seeded")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Integrity, foreign keys and validation of every row.")
        @OptionGroup var global: GlobalOptions
        func run() throws {
            try CLI.run {
                let store = try global.open()
                let problems = try store.check()
                let c = try store.counts()
                if problems.isEmpty {
                    print("ok: \(c.models) models, \(c.gpus) gpus, \(c.prices) prices, \(c.scenarios) scenarios, \(c.changes) change-log entries")
                } else {
                    problems.forEach { print($0) }
                    throw CLIError(message: "\(problems.count) problem(s) found", code: 65)
                }
            }
        }
    }

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Online backup to a new file (SQLite's backup API; pg_dump's custom format on PostgreSQL).",
            discussion: "Example: servefit db backup ~/catalog-2026-11-22.sqlite")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Destination file (must not exist).") var path: String
        func run() throws {
            try CLI.run {
                let store = try global.open()
                try store.backup(to: path)
                print("backed up \(store.location) to \(path)")
            }
        }
    }

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a whole catalog between databases (SQLite file ⇄ PostgreSQL), all or nothing.",
            discussion: """
                Every row of every table is copied, ids and the change log included, into a destination that \
                is empty (a new file, or a new PostgreSQL database); the destination's schema is created \
                first. Row counts are checked before the copy commits.

                Examples:
                  createdb servefit && servefit db copy --from ~/.local/share/servefit/catalog.sqlite --to postgres://me@db.internal/servefit
                  servefit db copy --from postgres://me@db.internal/servefit --to ./snapshot.sqlite --format json
                """)
        @Option(name: .long, help: ArgumentHelp("Source catalog: a SQLite file or a postgres:// URL.", valueName: "db")) var from: String
        @Option(name: .long, help: ArgumentHelp("Destination: a new SQLite file or an empty PostgreSQL database.", valueName: "db")) var to: String
        @Option(name: .long, help: "Output: table, json or csv.") var format: OutputFormat = .table
        func run() throws {
            try CLI.run {
                guard from != to else { throw CLIError(message: "--from and --to name the same catalog", code: 64) }
                if !PostgresLocation.isURL(from) && !FileManager.default.fileExists(atPath: from) {
                    throw CLIError(message: "no catalog at \(from)", code: 66)
                }
                let source = try CatalogStore.open(path: from, seedIfNew: false)
                let dest = try CatalogStore.open(path: to, seedIfNew: false)
                let report = try dest.copy(from: source) { table, n in
                    FileHandle.standardError.write(Data("copied \(n) \(table) rows\n".utf8))
                }
                if format == .json { try CLI.printJSON(report); return }
                if format == .csv {
                    print("table,rows")
                    for t in CatalogStore.copyTables { print("\(t),\(report.rows[t] ?? 0)") }
                    return
                }
                let total = report.rows.values.reduce(0, +)
                print("copied \(total) rows (\(CatalogStore.copyTables.map { "\($0) \(report.rows[$0] ?? 0)" }.joined(separator: ", "))) from \(report.from) to \(report.to), schema \(report.schema.last ?? "")")
            }
        }
    }
}
