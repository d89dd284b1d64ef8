#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs (apt, pip, npm),
# builds, starts the real servers the tests use, runs the Rust, Python and Node suites and
# the conformance ratchet, and stops the servers again. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gitward/target}"
export CARGO_TERM_COLOR=never
export GITWARD_SHARED="${GITWARD_SHARED:-$repo/../shared}"
export GITWARD_CONFORMANCE="${GITWARD_CONFORMANCE:-$GITWARD_SHARED/conformance}"
start=$(date +%s)
stage() { printf '\n=== %s (%ds)\n' "$*" "$(( $(date +%s) - start ))"; }

stage "install test dependencies"
bash scripts/install-test-deps.sh

stage "format and lint"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

stage "pure core builds without the io shell"
cargo check --quiet -p gitward --no-default-features
forbidden=$(cargo tree -p gitward --no-default-features -e normal --prefix none \
  | awk '{print $1}' | grep -E '^(tokio|kube|kube-client|git2|reqwest|hyper)$' | sort -u || true)
if [ -n "$forbidden" ]; then
  echo "the pure core depends on: $forbidden" >&2
  exit 1
fi

stage "start test servers"
run_dir="${GITWARD_TEST_RUN:-/tmp/gitward-test-run}"
export GITWARD_TEST_RUN="$run_dir"
cleanup() {
  for s in helm-repo registry git-servers cluster; do
    bash "scripts/test-$s.sh" down >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT
bash scripts/test-cluster.sh up
bash scripts/test-git-servers.sh up
bash scripts/test-registry.sh up
bash scripts/test-helm-repo.sh up
export GITWARD_TEST_ENV="$run_dir/env"

stage "rust tests"
cargo test --workspace --exclude gitward-python --exclude gitward-node --no-fail-fast

stage "python and node bindings"
bash scripts/test-bindings.sh

stage "conformance ratchet"
cargo build --quiet -p gitward-cli
GITWARD_BIN="$CARGO_TARGET_DIR/debug/gitward" bash scripts/conformance.sh check

stage "done"
