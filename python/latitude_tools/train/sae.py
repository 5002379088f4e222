"""The top-k sparse autoencoder of the embedding space (the model; training is features.py).

    pre  = W_enc (x − b_dec) + b_enc              (m pre-activations)
    z    = ReLU(top-k(pre)), every other entry 0  (k active features at most)
    x̂    = W_decᵀ z + b_dec                        (rows of W_dec are unit-length directions)

Inputs are the encoder's unit-length MiniLM embeddings. The Swift side (`Latent/Features`)
computes exactly this from the exported fp16 weights.
"""
import torch
from torch import nn


class TopKSAE(nn.Module):
    def __init__(self, dimension, features, k, mean=None, seed=0):
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        directions = torch.randn(features, dimension, generator=generator)
        directions /= directions.norm(dim=1, keepdim=True)
        self.k = k
        self.decoder_weight = nn.Parameter(directions.clone())        # (m, d), unit rows
        self.encoder_weight = nn.Parameter(directions.clone())        # (m, d), starts as W_decᵀ
        self.encoder_bias = nn.Parameter(torch.zeros(features))
        self.decoder_bias = nn.Parameter(torch.zeros(dimension) if mean is None else mean.clone())

    def preactivations(self, x):
        return (x - self.decoder_bias) @ self.encoder_weight.T + self.encoder_bias

    def encode(self, x, k=None):
        """Sparse codes as (values, indices), each (n, k); values ≥ 0."""
        values, indices = self.preactivations(x).topk(k or self.k, dim=1)
        return values.relu(), indices

    def decode(self, values, indices):
        # A dense (n, m) code times W_dec: one BLAS multiply, faster on CPU than gathering
        # k rows per sentence (and its scatter-add backward).
        return self.reconstruct_without_bias(values, indices) + self.decoder_bias

    def reconstruct_without_bias(self, values, indices):
        codes = torch.zeros(values.shape[0], self.decoder_weight.shape[0], dtype=values.dtype)
        return codes.scatter(1, indices, values) @ self.decoder_weight

    def forward(self, x):
        values, indices = self.encode(x)
        return self.decode(values, indices), values, indices

    @torch.no_grad()
    def normalise_decoder(self):
        self.decoder_weight /= self.decoder_weight.norm(dim=1, keepdim=True).clamp_min(1e-8)

    @torch.no_grad()
    def project_decoder_gradient(self):
        """Removes the part of each row's gradient along the row (keeps rows unit-length)."""
        grad = self.decoder_weight.grad
        if grad is not None:
            rows = self.decoder_weight
            grad -= (grad * rows).sum(1, keepdim=True) * rows


def dense_codes(values, indices, features):
    codes = torch.zeros(values.shape[0], features, dtype=values.dtype)
    return codes.scatter_(1, indices, values)
