#!/usr/bin/env bash
# Builds and tests the Python and Node bindings, from a fresh machine or a warm cache.
#
#   Python: a venv in ~/.cache/gitward/venv (maturin, pytest, mypy pinned in
#           bindings-python/requirements-dev.txt), `maturin develop` (debug build, editable
#           install), mypy.stubtest on the stubs, mypy --strict on a typed usage file,
#           pytest.
#   Node:   `npm ci` (skipped while node_modules matches package-lock.json), `napi build`
#           (debug) into a scratch folder, a check that the committed index.d.ts/index.js
#           are what napi generates, `node --test`.
#
# Both suites always run; the script exits non-zero if any step of either failed.
# Options: --update-generated  write the regenerated index.d.ts/index.js instead of failing
#          --python-only / --node-only
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
repo=$(pwd)

update_generated=0
run_python=1
run_node=1
for arg in "$@"; do
  case "$arg" in
    --update-generated) update_generated=1 ;;
    --python-only) run_node=0 ;;
    --node-only) run_python=0 ;;
    *) echo "usage: $0 [--update-generated] [--python-only|--node-only]" >&2; exit 2 ;;
  esac
done

cache="${GITWARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitward}"
# The bindings get a target dir of their own: pyo3 and napi builds depend on environment
# variables that would otherwise invalidate the core's artifacts and the other way round.
export CARGO_TARGET_DIR="$cache/target-bindings"
export CARGO_TERM_COLOR=never
locked=()
[[ "${CI:-}" == "true" ]] && locked=(--locked) # CI builds exactly the committed Cargo.lock

start=$(date +%s)
stage() { printf '\n=== bindings: %s (%ds)\n' "$*" "$(($(date +%s) - start))"; }
failures=()
fail() {
  printf 'test-bindings: FAILED: %s\n' "$*" >&2
  failures+=("$*")
}

python_suite() {
  local venv="$cache/venv" py="${GITWARD_PYTHON:-python3}"
  local reqs="$repo/bindings-python/requirements-dev.txt"
  stage "python: venv"
  if ! "$venv/bin/python" -c '' 2>/dev/null; then
    rm -rf "$venv"
    "$py" -m venv "$venv" || { fail "python: creating the venv with $py"; return; }
  fi
  # Reinstall the tools only when the pinned list changed.
  local stamp="$venv/.gitward-requirements.sha256" want
  want=$(sha256sum "$reqs" | cut -d' ' -f1)
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$reqs" ||
      { fail "python: pip install -r $reqs"; return; }
    echo "$want" >"$stamp"
  fi
  export VIRTUAL_ENV="$venv"
  local vpy="$venv/bin/python"

  stage "python: build (maturin develop)"
  # Once the venv's editable install points at this checkout, rebuilding the extension in
  # place is enough (saves the pip install).
  local site skip=()
  site=$("$vpy" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  [[ "$(cat "$site/gitward.pth" 2>/dev/null)" == "$repo/bindings-python/python" ]] &&
    skip=(--skip-install)
  (cd bindings-python && "$venv/bin/maturin" develop --quiet "${skip[@]}" "${locked[@]}") ||
    { fail "python: maturin develop"; return; }

  stage "python: type stubs"
  # Run from the crate folder so mypy sees the package through the editable install.
  (cd bindings-python && "$vpy" -m mypy.stubtest gitward._native) || fail "python: stubtest"
  (cd bindings-python && "$vpy" -m mypy --strict tests) || fail "python: mypy --strict"

  stage "python: pytest"
  (cd bindings-python && "$vpy" -m pytest -p no:cacheprovider) || fail "python: pytest"
}

node_suite() {
  stage "node: npm ci"
  local stamp="bindings-node/node_modules/.gitward-lock.sha256" want
  want=$(sha256sum bindings-node/package-lock.json | cut -d' ' -f1)
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    (cd bindings-node && npm ci --no-audit --no-fund --loglevel=error) ||
      { fail "node: npm ci"; return; }
    echo "$want" >"$stamp"
  else
    echo "node_modules matches package-lock.json"
  fi

  stage "node: build (napi build)"
  # Generated into a scratch folder first, so the committed files can be compared with it.
  local out="$cache/napi-out"
  rm -rf "$out" && mkdir -p "$out"
  local cargo_args=()
  ((${#locked[@]})) && cargo_args=(-- "${locked[@]}")
  (cd bindings-node && npx --no-install napi build --platform --output-dir "$out" \
    "${cargo_args[@]}") || { fail "node: napi build"; return; }
  cp "$out"/*.node bindings-node/

  stage "node: generated index.d.ts and index.js are committed"
  local f stale=0
  for f in index.d.ts index.js; do
    if ! diff -u "bindings-node/$f" "$out/$f"; then
      if ((update_generated)); then
        cp "$out/$f" "bindings-node/$f"
        echo "updated bindings-node/$f"
      else
        stale=1
      fi
    fi
  done
  if ((stale)); then
    fail "node: bindings-node/index.d.ts or index.js differs from what napi generates" \
      "(run scripts/test-bindings.sh --update-generated and commit the result)"
  else
    echo "index.d.ts and index.js are up to date"
  fi

  stage "node: node --test"
  (cd bindings-node && node --test __test__/) || fail "node: node --test"
}

((run_python)) && python_suite
((run_node)) && node_suite

stage "done"
if ((${#failures[@]})); then
  printf 'test-bindings: %d step(s) failed:\n' "${#failures[@]}" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "test-bindings: all steps passed"
