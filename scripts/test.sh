#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs (apt, pip, npm),
# builds, starts the real servers the tests use (kube-apiserver + etcd, git over git://,
# HTTPS and ssh, OCI registries, a Helm repository), runs the Rust, Python and Node suites
# and the conformance ratchet, and stops the servers again. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gitward/target}"
export CARGO_TERM_COLOR=never
export GITWARD_SHARED="${GITWARD_SHARED:-$repo/../shared}"
export GITWARD_CONFORMANCE="${GITWARD_CONFORMANCE:-$GITWARD_SHARED/conformance}"
export GITWARD_TEST_RUN="${GITWARD_TEST_RUN:-/tmp/gitward-test-run}"
locked=()
[ "${CI:-}" = true ] && locked=(--locked)
start=$(date +%s)
stage() { printf '\n=== %s (%ds)\n' "$*" "$(( $(date +%s) - start ))"; }

stage "install test dependencies"
bash scripts/install-test-deps.sh

stage "build the test cluster binaries (cached under ~/.cache/gitward/bin)"
bash scripts/test-cluster.sh build

stage "format and lint"
cargo fmt --all --check
cargo clippy "${locked[@]}" --workspace --all-targets --quiet -- -D warnings

stage "the pure core builds without the io shell"
cargo check "${locked[@]}" --quiet -p gitward --no-default-features
forbidden=$(cargo tree "${locked[@]}" -p gitward --no-default-features -e normal --prefix none \
  | awk '{print $1}' | grep -E '^(tokio|kube|kube-client|git2|reqwest|hyper)$' | sort -u || true)
if [ -n "$forbidden" ]; then
  echo "the pure core depends on: $forbidden" >&2
  exit 1
fi

stage "start test servers"
trap 'bash scripts/lib/test-infra.sh down >/dev/null 2>&1 || true' EXIT
GITWARD_TEST_ENV=$(bash scripts/lib/test-infra.sh up | tail -n 1)
export GITWARD_TEST_ENV

stage "rust tests"
cargo test "${locked[@]}" --workspace --exclude gitward-python --exclude gitward-node --no-fail-fast

stage "python and node bindings"
bash scripts/test-bindings.sh

stage "conformance ratchet (the last line is its verdict)"
cargo build "${locked[@]}" --quiet -p gitward-cli
GITWARD_BIN="$CARGO_TARGET_DIR/debug/gitward" bash scripts/conformance.sh check
