#!/usr/bin/env bash
# Builds gitward and runs it on the bundled example: `gitward fmt` prints the example
# manifests exactly as kustomize v5.7.1 would print those objects.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gitward/target}"
cargo build --quiet --release -p gitward-cli
exec "$CARGO_TARGET_DIR/release/gitward" fmt examples/manifests/*.yaml
