#!/usr/bin/env python3
"""Reference runtimes for `make bench-encode`: ONNX Runtime on an fp32 ONNX export of
all-MiniLM-L6-v2, and sentence-transformers on PyTorch, on the same sentences and thread
count as the Swift side. Prints progress to stderr and writes a JSON of results.

    encode_reference.py --sentences F --threads N --onnx MODEL.onnx --out results.json \
        --embeddings reference.npy
"""
import argparse, json, os, pathlib, sys, time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
from latitude_tools.paths import ENCODER as MODEL


def log(message):
    print(message, file=sys.stderr, flush=True)


def percentile(values, p):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, int(round(len(values) * p + 0.5)) - 1))]


def export_onnx(path):
    """Exports the transformer (token ids → last hidden state) once, with torch."""
    import torch
    from transformers import AutoModel
    bert = AutoModel.from_pretrained(str(MODEL)).eval()

    class Transformer(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids = torch.ones(1, 8, dtype=torch.long)
    mask = torch.ones(1, 8, dtype=torch.long)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(Transformer(bert).eval(), (ids, mask), str(path), input_names=["input_ids", "attention_mask"],
                      output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"},
                                    "attention_mask": {0: "batch", 1: "seq"},
                                    "last_hidden_state": {0: "batch", 1: "seq"}})
    log(f"exported {path}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--latency-samples", type=int, default=300)
    parser.add_argument("--onnx", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--embeddings", required=True)
    args = parser.parse_args()
    texts = [line.rstrip("\n") for line in open(args.sentences, encoding="utf-8") if line.strip()]

    import numpy as np
    import torch
    import onnxruntime as ort
    from sentence_transformers import SentenceTransformer
    from transformers import AutoTokenizer

    torch.set_num_threads(args.threads)
    onnx_path = pathlib.Path(args.onnx)
    if not onnx_path.exists():
        export_onnx(onnx_path)
    tokenizer = AutoTokenizer.from_pretrained(str(MODEL))
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])

    def ort_encode(batch):
        enc = tokenizer(batch, padding=True, truncation=True, max_length=256, return_tensors="np")
        hidden = session.run(None, {"input_ids": enc["input_ids"].astype(np.int64),
                                    "attention_mask": enc["attention_mask"].astype(np.int64)})[0]
        mask = enc["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(1) / mask.sum(1)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    st = SentenceTransformer(str(MODEL), device="cpu")
    results = {}
    for name, encode_one, encode_batch in [
        ("ort", lambda t: ort_encode([t]), ort_encode),
        ("st", lambda t: st.encode([t], convert_to_numpy=True),
         lambda b: st.encode(b, batch_size=len(b), convert_to_numpy=True)),
    ]:
        for text in texts[:20]:
            encode_one(text)
        latencies = []
        for text in texts[:args.latency_samples]:
            start = time.perf_counter()
            encode_one(text)
            latencies.append((time.perf_counter() - start) * 1000)
        best = 0.0
        for batch in (8, 16, 32, 64):
            start = time.perf_counter()
            for i in range(0, len(texts), batch):
                encode_batch(texts[i:i + batch])
            rate = len(texts) / (time.perf_counter() - start)
            log(f"  {name} batch {batch}: {rate:.0f} sentences/s")
            best = max(best, rate)
        results[f"{name}_p50_ms"] = round(percentile(latencies, 0.5), 3)
        results[f"{name}_per_s"] = round(best)
        log(f"{name}: p50 {results[f'{name}_p50_ms']} ms, {results[f'{name}_per_s']}/s")

    reference = st.encode(texts, batch_size=32, convert_to_numpy=True).astype("<f4")
    np.save(args.embeddings, reference)
    ort_vectors = np.concatenate([ort_encode(texts[i:i + 32]) for i in range(0, len(texts), 32)])
    results["ort_max_abs_diff_vs_reference"] = float(np.abs(ort_vectors - reference).max())
    pathlib.Path(args.out).write_text(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
