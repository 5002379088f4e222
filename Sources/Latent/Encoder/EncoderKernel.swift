import Foundation

/// Which matrix kernel a `SentenceEncoder` runs its linear layers on.
public enum EncoderKernel: String, Sendable, CaseIterable {
  /// fp32 panels where the CPU runs them; BLAS otherwise.
  case automatic = "auto"
  /// `cblas_sgemm` (every CPU).
  case blas
  /// fp32 weight panels on AVX-512 (`FloatPanelMatrix`); refused where the CPU lacks it.
  case floatPanels = "fp32-panels"
  /// bf16 tiles on Intel AMX (`TileMatrix`): both factors rounded to bf16, sums in fp32;
  /// embeddings keep a cosine above 0.9999 with the exact ones. Refused where the CPU or
  /// the system lacks AMX.
  case bf16Tiles = "bf16-tiles"

  /// The most tokens a forward pass multiplies on the panels; longer batches go to BLAS,
  /// whose blocked kernel catches up once its re-packing of the weights is shared by enough
  /// rows. With the kernel's eight-row blocks (`make bench-kernels`, one thread, no limit):
  /// one sentence 2.5× faster on panels, four 1.5×, eleven 1.2×, sixty-four (batches of
  /// 32, about 400 tokens) even. Before them the limit was 64 tokens.
  static let panelRowLimit = 256

  /// The environment variable that chooses the kernel of every encoder a process loads
  /// (`auto`, `blas`, `fp32-panels` or `bf16-tiles`; unset means `blas`). Panels are opt-in for now: they
  /// change embeddings in the last bits only, but a UMAP map of a few points is sensitive
  /// enough that its layout moves (the maps end-to-end test's drop lands farther from its
  /// target), so the default stays the encoder every map and fixture was made with.
  public static let environmentVariable = "LATITUDE_ENCODER_KERNEL"

  /// The kernel `LATITUDE_ENCODER_KERNEL` asks for.
  /// - Throws: `EncoderError.badConfig` for any other value.
  public static func fromEnvironment(
    _ environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(EncoderError) -> EncoderKernel {
    guard let value = environment[environmentVariable], !value.isEmpty else { return .blas }
    guard let kernel = EncoderKernel(rawValue: value) else {
      let names = allCases.map(\.rawValue).joined(separator: ", ")
      throw .badConfig("\(environmentVariable)=\(value): expected one of \(names)")
    }
    return kernel
  }

  /// The kernel this one runs as on this CPU: `blas`, `fp32-panels` or `bf16-tiles`.
  /// - Throws: `EncoderError.badConfig` for `fp32-panels` on a CPU without AVX-512, or
  ///   `bf16-tiles` where AMX is not available.
  func resolved() throws(EncoderError) -> EncoderKernel {
    switch self {
    case .blas: return .blas
    case .automatic: return FloatPanelMatrix.isSupported ? .floatPanels : .blas
    case .floatPanels:
      guard FloatPanelMatrix.isSupported else {
        throw .badConfig("\(Self.environmentVariable)=fp32-panels: this CPU lacks AVX-512")
      }
      return .floatPanels
    case .bf16Tiles:
      guard TileMatrix.isSupported else {
        throw .badConfig(
          "\(Self.environmentVariable)=bf16-tiles: this CPU or system does not run AMX tiles")
      }
      return .bf16Tiles
    }
  }
}
