#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: installs system packages, builds, trains the cpu preset
# on the embedded default data (the seeded synthetic multimodal corpus) and prints the cross-modal
# MAP@20 table. Extra arguments go to `affect demo` (e.g. --json, --items 4000).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> [1/3] system packages"
tools/setup.sh
echo "==> [2/3] build"
dotnet build src/Affect.Search.Cli -c Release -v quiet -nologo
echo "==> [3/3] train and evaluate"
dotnet src/Affect.Search.Cli/bin/Release/net10.0/affect.dll demo "$@"
