// The models build on the math core; importing Latent brings the core's vectors,
// codecs and kernels along, so callers need one import.
@_exported import LatentMath
