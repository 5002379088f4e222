#!/usr/bin/env bash
# Prints the OPENBLAS_CORETYPE to use for this machine, or nothing when OpenBLAS's own
# choice is fine (the same rule as BLASKernel.recommendedCoreType in Swift). The Makefile
# exports it for tests and benchmarks, so they run the kernels the CLI would pick.
set -u
[ -n "${OPENBLAS_CORETYPE:-}" ] && { echo "$OPENBLAS_CORETYPE"; exit 0; }
python3 - <<'PY' 2>/dev/null || true
import ctypes, glob
libs = glob.glob("/usr/lib/*/openblas-pthread/libopenblas.so.0")
if not libs:
    raise SystemExit
lib = ctypes.CDLL(libs[0])
lib.openblas_get_corename.restype = ctypes.c_char_p
core = lib.openblas_get_corename().decode()
generic = {"Prescott", "Core2", "Katmai", "Coppermine", "Northwood", "Banias", "Penryn", "Dunnington", "unknown"}
if core not in generic:
    raise SystemExit
flags = set()
for line in open("/proc/cpuinfo"):
    if line.startswith("flags"):
        flags = set(line.split(":", 1)[1].split())
        break
if {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"} <= flags:
    print("SkylakeX")
elif {"avx2", "fma"} <= flags:
    print("Haswell")
PY
