#!/usr/bin/env bash
# Conformance runner wrapper (tests/conformance/run.py; see tests/conformance/README.md).
#
#   scripts/conformance.sh check [RUN_ARGS...]      build gitward, fail if a pass count dropped below
#                                                   tests/conformance/status.json (what CI runs)
#   scripts/conformance.sh update [RUN_ARGS...]     build gitward, rewrite tests/conformance/status.json
#   scripts/conformance.sh reference [RUN_ARGS...]  install the reference kubectl/helm (npm) and score
#                                                   them; anything below 100% exact fails
#   scripts/conformance.sh run [RUN_ARGS...]        run.py as is (e.g. --suite helm --filter podinfo -v)
#
# Python: ${GITWARD_PYTHON:-python3}, with PyYAML (pip-installed into it when missing).
# gitward binary: $GITWARD_BIN if set (then nothing is built), else `cargo build --bin gitward`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${GITWARD_PYTHON:-python3}"
runner="$root/tests/conformance/run.py"

usage() { sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }

ensure_pyyaml() {
  "$py" -c 'import yaml' 2>/dev/null && return 0
  echo "conformance: installing PyYAML into $py" >&2
  "$py" -m pip install --quiet pyyaml ||
    { echo "conformance: could not install PyYAML into $py; use a venv (GITWARD_PYTHON=.venv/bin/python)" >&2; exit 1; }
}

build_gitward() {
  [[ -n "${GITWARD_BIN:-}" ]] && return 0
  cargo build --quiet --manifest-path "$root/Cargo.toml" --bin gitward
}

[[ $# -ge 1 ]] || usage
mode="$1"
shift
case "$mode" in
  check) ensure_pyyaml; build_gitward; exec "$py" "$runner" --tool gitward --check-status "$@" ;;
  update) ensure_pyyaml; build_gitward; exec "$py" "$runner" --tool gitward --update-status "$@" ;;
  reference) ensure_pyyaml; exec "$py" "$runner" --tool reference "$@" ;;
  run) ensure_pyyaml; exec "$py" "$runner" "$@" ;;
  -h | --help | help) usage ;;
  *) echo "conformance: unknown mode '$mode'" >&2; usage ;;
esac
