#!/usr/bin/env bash
# Installs @confluentinc/kafka-javascript (librdkafka) for the runtime bench's --clients rows into
# bench/runtime-clients/confluent/node_modules (ignored by git). It is kept out of the project's
# package.json because its install builds a native addon: `npm ci` must never need a compiler.
# Its prebuilt binary cannot be downloaded here, so it is built from the librdkafka sources the
# package ships, linked dynamically (CKJS_LINKING=dynamic) against Debian's libssl and zlib.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

missing=()
for pkg in build-essential python3 libssl-dev zlib1g-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# python3 may come from elsewhere (pyenv); node-gyp only needs one on the PATH.
if command -v python3 >/dev/null; then missing=("${missing[@]/python3}"); fi
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  echo "install.sh: apt-get install ${missing[*]}"
  apt-get update -q && apt-get install -y -q "${missing[@]}"
fi

# node-gyp needs the headers of the running Node, and takes whatever it finds under /usr first
# (Debian's Node 20 headers here: an addon that will not load). The `node` npm package beside this
# Node (and the project's own optional dependency node-linux-<arch>) ships them: use the one whose
# version is the running Node's, so nothing is downloaded.
nodedir="$(node -e '
  const { existsSync, readFileSync } = require("node:fs");
  const { dirname, join } = require("node:path");
  const prefix = dirname(dirname(process.execPath));
  const pkg = `node-${process.platform}-${process.arch}`;
  const candidates = [prefix, join(prefix, "node_modules", pkg), join(process.argv[1], "node_modules", pkg)];
  const [major, minor, patch] = process.versions.node.split(".");
  const matches = (dir) => {
    const header = join(dir, "include/node/node_version.h");
    if (!existsSync(header)) return false;
    const h = readFileSync(header, "utf8");
    const v = (name) => (new RegExp(`define NODE_${name}_VERSION (\\d+)`).exec(h) ?? [])[1];
    return v("MAJOR") === major && v("MINOR") === minor && v("PATCH") === patch;
  };
  console.log(candidates.find(matches) ?? "");
' "$here/../..")"
if [[ -n "$nodedir" ]]; then
  export npm_config_nodedir="$nodedir"
  echo "install.sh: Node headers from $nodedir"
fi

started=$(date +%s)
cd "$here/confluent"
# librdkafka's build runs `make -j` with no bound: -l keeps it from starting jobs past the core count
# on a shared machine; nice leaves the rest of the machine first.
rm -rf node_modules
CKJS_LINKING=dynamic npm_config_build_from_source=true MAKEFLAGS="-l$(nproc)" \
  nice -n 10 npm install --no-audit --no-fund --foreground-scripts
echo "install.sh: @confluentinc/kafka-javascript built in $(($(date +%s) - started)) s"
node -e "const k = require('@confluentinc/kafka-javascript'); console.log('librdkafka', k.librdkafkaVersion)"
