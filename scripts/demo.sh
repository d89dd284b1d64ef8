#!/usr/bin/env bash
# Builds gitward and runs its main job on the bundled example: the production overlay of
# examples/shop (a base with a Deployment, a Service, a generated ConfigMap and a local Helm
# chart; an overlay with namespace, prefix, labels, images, replicas and a JSON patch),
# printed exactly as `kubectl kustomize --enable-helm` (kustomize v5.7.1, helm) prints it,
# with no kustomize or helm binary.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gitward/target}"
cargo build --quiet --release -p gitward-cli
exec "$CARGO_TARGET_DIR/release/gitward" kustomize --enable-helm examples/shop/overlays/prod
