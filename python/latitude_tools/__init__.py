"""Latitude's Python tools: training, benchmarks references, end-to-end test harness."""
