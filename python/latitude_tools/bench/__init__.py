"""Reference implementations the benchmarks compare against."""
