#!/usr/bin/env bash
# Signs the sample plugins into bundles for `make run`, which starts the daemon with signature
# checks on. The development key is made once in OUT/dev-key and kept; only its public key goes
# into OUT/trusted-keys, the folder that `make run` trusts.
#   dev-bundles.sh BIN OUT
set -euo pipefail

bin=$1
out=$2
key="$out/dev-key/mcpzero-dev.key"

if [ ! -f "$key" ]; then
  "$bin" plugin keygen --out "$out/dev-key" --name mcpzero-dev
fi
install -D -m 0644 "$out/dev-key/mcpzero-dev.pub" "$out/trusted-keys/mcpzero-dev.pub"

for module in "$out"/plugins/*.wasm; do
  name=$(basename "$module" .wasm)
  source="src/plugins/$name"
  bundle="$out/bundles/$name"
  if [ ! -f "$source/manifest.json" ]; then
    echo "dev-bundles: $source/manifest.json is missing; every sample plugin needs one" >&2
    exit 1
  fi
  rm -rf "$bundle"
  mkdir -p "$bundle"
  cp "$module" "$bundle/plugin.wasm"
  cp "$source/manifest.json" "$bundle/manifest.json"
  if [ -f "$source/README.md" ]; then
    cp "$source/README.md" "$bundle/README.md"
  fi
  "$bin" plugin sign "$bundle" --key "$key"
done
