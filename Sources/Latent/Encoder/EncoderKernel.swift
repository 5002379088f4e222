import Foundation

/// Which matrix kernel a `SentenceEncoder` runs its linear layers on.
public enum EncoderKernel: String, Sendable, CaseIterable {
  /// fp32 panels where the CPU runs them; BLAS otherwise.
  case automatic = "auto"
  /// `cblas_sgemm` (every CPU).
  case blas
  /// fp32 weight panels on AVX-512 (`FloatPanelMatrix`); refused where the CPU lacks it.
  case floatPanels = "fp32-panels"

  /// The most tokens a forward pass multiplies on the panels; longer batches go to BLAS,
  /// whose blocked kernel catches up once its re-packing of the weights is shared by enough
  /// rows. With the kernel's eight-row blocks (`make bench-kernels`, one thread, no limit):
  /// one sentence 2.5× faster on panels, four 1.5×, eleven 1.2×, sixty-four (batches of
  /// 32, about 400 tokens) even. Before them the limit was 64 tokens.
  static let panelRowLimit = 256

  /// The environment variable that chooses the kernel of every encoder a process loads
  /// (`auto`, `blas` or `fp32-panels`; unset means `blas`). Panels are opt-in for now: they
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

  /// The kernel this one runs as on this CPU: `blas` or `fp32-panels`.
  /// - Throws: `EncoderError.badConfig` for `fp32-panels` on a CPU without AVX-512.
  func resolved() throws(EncoderError) -> EncoderKernel {
    switch self {
    case .blas: return .blas
    case .automatic: return FloatPanelMatrix.isSupported ? .floatPanels : .blas
    case .floatPanels:
      guard FloatPanelMatrix.isSupported else {
        throw .badConfig("\(Self.environmentVariable)=fp32-panels: this CPU lacks AVX-512")
      }
      return .floatPanels
    }
  }
}
