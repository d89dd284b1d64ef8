#!/bin/bash
# Differential run of gitward's JSON 6902 patch against the Go library kustomize uses.
#   run.sh MODE SEED N [SHOW]   MODE: lib | kyaml (see main.go); N generated cases
# Needs the Go tool built (see README.md) at $JSONPATCH_REF (default /tmp/jsonpatch-ref).
# Work files go to $WORK (default /tmp/jsonpatch-difftest).
set -e
MODE=$1; SEED=$2; N=$3
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${WORK:-/tmp/jsonpatch-difftest}; mkdir -p "$WORK"
REF=${JSONPATCH_REF:-/tmp/jsonpatch-ref}
CASES=$WORK/$MODE-$SEED.jsonl
python3 "$HERE/gen.py" "$SEED" "$N" "$MODE" > "$CASES"
"$REF" "$MODE" < "$CASES" > "$WORK/$MODE-$SEED.go"
(cd "$REPO" && JSONPATCH_CASES=$CASES JSONPATCH_OUT=$WORK/$MODE-$SEED.rs JSONPATCH_MODE=$MODE \
   cargo test -q -p gitward --lib kustomize::jsonpatch::tests::differential_dump \
   -- --ignored --exact >/dev/null 2>&1)
python3 "$HERE/cmp.py" "$CASES" "$WORK/$MODE-$SEED.go" "$WORK/$MODE-$SEED.rs" "${4:-5}"
