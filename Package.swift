// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "Latitude",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "latitude", targets: ["latitude"]),
    .executable(name: "latitude-bench", targets: ["latitude-bench"]),
    .library(name: "Canvas", targets: ["Canvas"]),
    .library(name: "CanvasStore", targets: ["CanvasStore"]),
    .library(name: "Latent", targets: ["Latent"]),
    .library(name: "Maps", targets: ["Maps"]),
    // Built-in native plugins: shared libraries the plugin host finds beside the executable.
    .library(name: "LatitudeBuiltinOps", type: .dynamic, targets: ["BuiltinOps"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    // The WebAssembly interpreter that runs sandboxed plugins (fuel-metered, bounded memory).
    .package(url: "https://github.com/swiftwasm/WasmKit", exact: "0.4.2"),
  ],
  targets: [
    // System-library shims: a module map and a shim header each, nothing else.
    .systemLibrary(
      name: "CLibWebSockets", pkgConfig: "libwebsockets", providers: [.apt(["libwebsockets-dev"])]),
    .systemLibrary(
      name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CLapacke", pkgConfig: "lapacke", providers: [.apt(["liblapacke-dev"])]),
    .systemLibrary(name: "CSQLite3", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

    // The math core: latent vectors, fp16 codecs, geometry, BLAS kernels and every LAPACK
    // call (eigensolvers, PCA, the positive-definite solve of logistic regression).
    // Optimised even in debug builds: its SIMD kernels are ~50× slower unoptimised, which
    // would make the encoder tests take minutes.
    // AVX-512 kernels for the decoder's few-row products on fp16 weights, compiled for that
    // CPU family; LatentMath runs them only after checking the CPU (HalfPanelMatrix).
    .target(
      name: "LatentKernels",
      swiftSettings: [
        .unsafeFlags(["-target-cpu", "skylake-avx512"]),
        .unsafeFlags(["-O"], .when(configuration: .debug)),
      ]),
    // AMX kernels (bf16 tiles) for the encoder's products, in C for the tile intrinsics;
    // compiled per function for AMX, run only where `lat_tiles_available()` says so.
    .target(name: "CTileKernel", cSettings: [.unsafeFlags(["-O2"])]),
    .target(
      name: "LatentMath", dependencies: ["COpenBLAS", "CLapacke", "LatentKernels", "CTileKernel"],
      swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
    // The models on that core: tokenizer, encoder, decoder, sentence bank.
    .target(
      name: "Latent", dependencies: ["LatentMath"],
      swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
    // Non-linear maps of latents: exact cosine kNN on BLAS, UMAP, Barnes–Hut t-SNE and their
    // transforms. Optimised in debug builds too (tests fit maps of hundreds of points).
    .target(
      name: "Maps", dependencies: ["LatentMath"],
      swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
    // Pure document model: ops, merge rules, validation, history fold. No I/O; needs only
    // the math core.
    .target(name: "Canvas", dependencies: ["LatentMath"]),
    // The native plugin ABI (a C header) and the built-in operations plugin written on it.
    .target(name: "CLatitudePlugin"),
    .target(
      name: "BuiltinOps", dependencies: ["CLatitudePlugin"], path: "Plugins/builtin-ops",
      cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("m")]),
    .target(
      name: "PluginHost",
      dependencies: [
        "Canvas", "Latent", "CLatitudePlugin",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "WasmKit", package: "WasmKit"),
      ],
      swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
    // The op log on SQLite (default) or PostgreSQL (clusters, with document leases):
    // migrations, group commit, snapshots, NDJSON export/import.
    .target(
      name: "CanvasStore",
      dependencies: [
        "Canvas", "LatentMath", "CSQLite3", "CLibPQ",
        .product(name: "Logging", package: "swift-log"),
      ]),
    // libwebsockets transport, rooms, protocol v1.
    .target(
      name: "CanvasServer",
      dependencies: [
        "CLibWebSockets", "Canvas", "CanvasStore", "Latent", "Maps", "PluginHost",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      resources: [.copy("Web")]),
    // What the CLI and the benchmarks share: errors, output, decoder options.
    .target(
      name: "CommandSupport",
      dependencies: ["Latent", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    // The CLI (thin). `latitude bench` forwards to latitude-bench.
    .executableTarget(
      name: "latitude",
      dependencies: [
        "Canvas", "CanvasStore", "CanvasServer", "CommandSupport", "Latent", "Maps", "PluginHost",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    // The benchmarks, a load generator and their references' drivers; not in the server.
    .executableTarget(
      name: "latitude-bench",
      dependencies: [
        "Canvas", "CanvasStore", "CommandSupport", "Latent", "PluginHost",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),

    .testTarget(
      name: "NativeShimTests",
      dependencies: ["CLibWebSockets", "COpenBLAS", "CLapacke", "CSQLite3"]),
    .testTarget(
      name: "LatentTests",
      dependencies: ["Latent", "LatentMath", .product(name: "Crypto", package: "swift-crypto")],
      exclude: ["Resources"]),
    // Shared test fixtures: seeded random latents and op generators.
    .target(
      name: "CanvasTestSupport", dependencies: ["Canvas", "Latent"], path: "Tests/CanvasTestSupport"
    ),
    .testTarget(name: "MapsTests", dependencies: ["Maps", "LatentMath"]),
    .testTarget(name: "CanvasTests", dependencies: ["Canvas", "CanvasTestSupport", "LatentMath"]),
    .testTarget(
      name: "CanvasStoreTests", dependencies: ["CanvasStore", "Canvas", "CanvasTestSupport"]),
    .testTarget(
      name: "CanvasServerTests",
      dependencies: ["CanvasServer", "CanvasStore", "Canvas", "CanvasTestSupport", "Latent"]),
    .testTarget(
      name: "PluginHostTests",
      dependencies: [
        "PluginHost", "Latent", "Canvas", .product(name: "Logging", package: "swift-log"),
      ]),
    // libFuzzer targets (make fuzz builds them with -sanitize=fuzzer); a plain build
    // replays corpus and crash inputs.
    .executableTarget(
      name: "latitude-fuzz",
      dependencies: [
        "CanvasServer", "CanvasStore", "Canvas", "Latent", "PluginHost",
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "Tests/Fuzz", exclude: ["corpus", "crashes"]),
    .testTarget(
      name: "EndToEndTests",
      dependencies: ["latitude", "latitude-bench", "CanvasStore", "Canvas", "CanvasTestSupport"]),
  ]
)
