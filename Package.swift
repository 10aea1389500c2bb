// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "cer-run",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cer-run", targets: ["cer-run"]),
        .library(name: "Chain", targets: ["Chain"]),
        .library(name: "DevChain", targets: ["DevChain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        .target(
            name: "Chain",
            dependencies: [
                "CSecp256k1",
                .product(name: "BigInt", package: "BigInt"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(name: "DevChain", dependencies: ["Chain"]),
        .target(name: "Market", dependencies: ["Chain"]),
        .target(
            name: "Manifest",
            dependencies: ["Chain", "Market", "ClearingPlugins", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "ClearingPlugins", dependencies: ["Chain", "Market"]),
        .target(name: "Validation", dependencies: ["Chain", "Market"]),
        .target(name: "SessionReport"),
        .target(
            name: "MeterSources",
            dependencies: [
                "Manifest", "Validation", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PhaseRunner",
            dependencies: [
                "Chain", "Market", "DevChain", "Manifest", "ClearingPlugins", "Validation", "MeterSources",
                "SessionReport",
            ]
        ),
        .target(
            name: "Portal",
            dependencies: [
                "PhaseRunner", "SessionReport", "Market", "Chain", "Manifest",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Public"), .copy("OpenAPI")]
        ),
        .executableTarget(
            name: "cer-run",
            dependencies: [
                "PhaseRunner", "DevChain", "Chain", "Manifest", "ClearingPlugins", "Portal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "market-gas-report", dependencies: ["Chain", "DevChain", "Market"]),
        .executableTarget(name: "clearing-bench", dependencies: ["ClearingPlugins", "Chain", "Market"]),
        .testTarget(name: "ChainTests", dependencies: ["Chain"], resources: [.copy("Vectors")]),
        .testTarget(name: "MarketTests", dependencies: ["Chain", "Market"]),
        .testTarget(name: "ManifestTests", dependencies: ["Manifest", "Chain"]),
        .testTarget(name: "PhaseRunnerTests", dependencies: ["PhaseRunner", "Chain"]),
        .testTarget(name: "ClearingPluginsTests", dependencies: ["ClearingPlugins", "Chain", "Market"]),
        .testTarget(
            name: "MeterSourcesTests", dependencies: ["MeterSources", "Manifest", "Validation"],
            exclude: ["meter_server.py"]),
        .testTarget(name: "ValidationTests", dependencies: ["Validation", "Market", "Chain"]),
        .testTarget(
            name: "IntegrationTests", dependencies: ["Chain", "DevChain", "Market", "PhaseRunner"],
            exclude: ["flaky_rpc_proxy.py"]),
        .testTarget(
            name: "PortalTests",
            dependencies: [
                "Portal", "PhaseRunner", "Chain", "DevChain", "Market", "Manifest", "SessionReport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
