// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "servefit",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "servefit", targets: ["servefit"]),
        .library(name: "ServefitCore", targets: ["ServefitCore"]),
        .library(name: "ServefitStore", targets: ["ServefitStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // Pure domain: architecture math, estimator, ranking, parsers. No I/O, no database; hashes by swift-crypto.
        .target(name: "ServefitCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The one place that speaks SQL. migrations/ and seed/ are embedded at build time.
        .target(
            name: "ServefitStore",
            dependencies: [
                "ServefitCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedCatalogFiles"]
        ),
        // Hummingbird routes over Store + Core. No SQL here.
        .target(
            name: "ServefitServer",
            dependencies: [
                "ServefitCore", "ServefitStore", "ServefitHub",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Local checkpoints (safetensors, GGUF, config.json) read header-only through Core's parsers.
        .target(name: "ServefitFiles", dependencies: ["ServefitCore"]),
        // The Hugging Face Hub and its local cache: config.json and weight headers by HTTP Range
        // (AsyncHTTPClient), never the weights.
        .target(
            name: "ServefitHub",
            dependencies: ["ServefitCore", "ServefitFiles", .product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        // The MCP face (stdio): tools over Store + Core, for agents. No SQL here.
        .target(
            name: "ServefitMCP",
            dependencies: ["ServefitCore", "ServefitStore", "ServefitFiles", "ServefitHub", .product(name: "MCP", package: "swift-sdk")]
        ),
        .executableTarget(
            name: "servefit",
            dependencies: [
                "ServefitCore", "ServefitStore", "ServefitServer", "ServefitMCP", "ServefitFiles", "ServefitHub",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Benchmarks (not part of `swift test`): Benchmarks/run.sh builds and runs it in release.
        .executableTarget(name: "servefit-bench", dependencies: ["ServefitCore", "ServefitStore"], path: "Benchmarks/servefit-bench"),
        // Build-time helper: turns migrations/*.sql and seed/* into Swift string literals.
        .executableTarget(name: "servefit-embed"),
        .plugin(name: "EmbedCatalogFiles", capability: .buildTool(), dependencies: ["servefit-embed"]),
        // Fixtures are read from the source tree by path (#filePath), not bundled.
        .testTarget(name: "ServefitCoreTests", dependencies: ["ServefitCore"], exclude: ["Fixtures"]),
        // Where the store, CLI, server and reliability tests put their catalogs (SQLite or PostgreSQL).
        .target(name: "TestSupport", dependencies: ["ServefitStore"], path: "Tests/TestSupport"),
        .testTarget(name: "ServefitStoreTests", dependencies: ["ServefitStore", "ServefitCore", "TestSupport"]),
        .testTarget(name: "ServefitCLITests", dependencies: ["servefit", "ServefitCore", "hub-fixture-server", "TestSupport"]),
        // A loopback server laid out like the Hugging Face Hub, for the Hub tests (no internet here).
        .executableTarget(
            name: "hub-fixture-server",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types")], path: "Tests/HubFixtureServer"),
        .testTarget(name: "ReliabilityTests", dependencies: ["servefit", "ServefitStore", "ServefitCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "ServefitServerTests",
            dependencies: [
                "ServefitServer", "ServefitStore", "ServefitCore", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
