import Foundation
import PackagePlugin

/// Embeds the package's `migrations/{sqlite,postgres}/*.sql` and `seed/*` files into the target that uses it,
/// so the schema and reference data travel inside the binary.
@main
struct EmbedCatalogFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        var inputs: [URL] = []
        for folder in ["migrations/sqlite", "migrations/postgres", "seed"] {
            let dir = root.appending(path: folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path())) ?? []
            for name in names.sorted() where name.hasSuffix(".sql") || name.hasSuffix(".json") || name.hasSuffix(".csv") {
                inputs.append(dir.appending(path: name))
            }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) migration and seed files",
                executable: try context.tool(named: "servefit-embed").url,
                arguments: [output.path(), root.path()] + inputs.map { $0.path() },
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
