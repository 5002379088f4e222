"""KV-cached generation for the prefix decoder (the PyTorch reference the Swift decoder mirrors).

The layers are BERT's post-LayerNorm blocks with a causal mask, so one step for new
positions is: q, k, v from the fused in-projection; attend over the cached keys and values
plus the new ones; out-projection, residual, LayerNorm; GELU feed-forward, residual,
LayerNorm. The first call feeds the `prefix` conditioning vectors; each later call feeds one
token per row. The logits are the last position's hidden state times the tied token table.
"""
import math

import torch
from torch import nn


class Cache:
    """Per-layer keys and values, [batch, heads, positions, head_dim]."""

    def __init__(self, layers):
        self.keys = [None] * layers
        self.values = [None] * layers

    @property
    def length(self):
        return 0 if self.keys[0] is None else self.keys[0].shape[2]


def _layer_step(layer, x, cache, index, heads):
    batch, new, hidden = x.shape
    head_dim = hidden // heads
    qkv = nn.functional.linear(x, layer.self_attn.in_proj_weight, layer.self_attn.in_proj_bias)
    q, k, v = (t.view(batch, new, heads, head_dim).transpose(1, 2) for t in qkv.split(hidden, dim=-1))
    if cache.keys[index] is not None:
        k = torch.cat([cache.keys[index], k], dim=2)
        v = torch.cat([cache.values[index], v], dim=2)
    cache.keys[index], cache.values[index] = k, v
    scores = q @ k.transpose(-1, -2) / math.sqrt(head_dim)
    past = k.shape[2] - new
    if new > 1:  # causal mask among the new positions
        mask = torch.ones(new, k.shape[2], dtype=torch.bool).tril(diagonal=past)
        scores = scores.masked_fill(~mask, float("-inf"))
    context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(batch, new, hidden)
    x = layer.norm1(x + layer.self_attn.out_proj(context))
    return layer.norm2(x + layer.linear2(nn.functional.gelu(layer.linear1(x))))


@torch.no_grad()
def step(model, cache, embedding=None, tokens=None):
    """Feeds the prefix (first call, `embedding` [B, 384]) or one token per row (`tokens`
    [B]) and returns the next-token logits [B, vocab]."""
    if embedding is not None:
        x = model.condition(embedding).view(embedding.shape[0], model.prefix, model.hidden)
    else:
        x = model.tokens(tokens)[:, None]
    start = cache.length
    positions = torch.arange(start, start + x.shape[1])
    x = model.norm(x + model.positions(positions))
    heads = model.layers.layers[0].self_attn.num_heads
    for index, layer in enumerate(model.layers.layers):
        x = _layer_step(layer, x, cache, index, heads)
    return x[:, -1] @ model.tokens.weight.T


def top_p_choice(logits, top_p, generator):
    """Samples from the smallest set of tokens whose probability reaches `top_p`."""
    probs = torch.softmax(logits, -1)
    sorted_probs, order = probs.sort(descending=True)
    keep = sorted_probs.cumsum(-1) - sorted_probs < top_p
    sorted_probs = sorted_probs * keep
    choice = torch.multinomial(sorted_probs / sorted_probs.sum(-1, keepdim=True), 1, generator=generator)
    return order.gather(1, choice).squeeze(1)


def constrain(logits, out, banned):
    """The Swift decoder's constraints: never [PAD]/[UNK]/[CLS], never a third repeat."""
    logits[:, banned] = -1e9
    if len(out) >= 2:
        repeat = out[-1] == out[-2]
        rows = repeat.nonzero().squeeze(1)
        logits[rows, out[-1][rows]] = -1e9


@torch.no_grad()
def generate(model, embedding, max_len, sep, banned, sample=False, top_p=0.9, generator=None):
    """Token rows [B, ≤max_len] (finished rows padded with 0) by greedy or top-p decoding."""
    batch = embedding.shape[0]
    cache = Cache(len(model.layers.layers))
    logits = step(model, cache, embedding=embedding)
    done = torch.zeros(batch, dtype=torch.bool)
    out = []
    for _ in range(max_len):
        constrain(logits, out, banned)
        next_token = top_p_choice(logits, top_p, generator) if sample else logits.argmax(-1)
        next_token = torch.where(done, torch.zeros_like(next_token), next_token)
        out.append(next_token)
        done |= next_token == sep
        if done.all():
            break
        logits = step(model, cache, tokens=next_token)
    return torch.stack(out, dim=1)


CLOSING = {".", ",", "!", "?", ";", ":", ")", "]", "}", "%"}
OPENING = {"(", "[", "{", "$"}
CONTRACTIONS = {"s", "t", "m", "d", "ve", "re", "ll"}


def tidy(pieces):
    """Readable text from WordPieces; the same rules as the Swift `Detokenizer`."""
    words = []
    for piece in pieces:
        if piece.startswith("##") and words:
            words[-1] += piece[2:]
        else:
            words.append(piece)
    out, glue_next, quote_open = "", True, False
    for index, word in enumerate(words):
        spaced, glue_next = not glue_next, False
        previous = words[index - 1] if index > 0 else ""
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in CLOSING:
            spaced = False
        elif word in OPENING:
            glue_next = True
        elif word == "'" and following in CONTRACTIONS and previous:
            spaced, glue_next = False, True
        elif word == "-" and previous and following and previous not in CLOSING:
            spaced, glue_next = False, True
        elif word == '"':
            if quote_open:
                spaced = False
            else:
                glue_next = True
            quote_open = not quote_open
        if spaced and out:
            out += " "
        out += "I" if word == "i" else word
    return out[:1].upper() + out[1:]
