#!/bin/bash
# Differential run of gitward's semver module against github.com/Masterminds/semver/v3.
#   run.sh SEED N [SHOW]     N generated cases, compared for v3.5.0 and v3.4.0, then the
#                            v3.5.0 results scored through `gitward semver` (the CLI)
# Builds the Go tool twice (go.mod: v3.5.0, go.v34.mod: v3.4.0) into $WORK (default
# /tmp/semver-difftest); needs Go and the module proxy (or a module cache), and cargo.
# gitward: $GITWARD_BIN, else ${CARGO_TARGET_DIR:-target}/debug/gitward (built if missing).
set -euo pipefail
SEED=$1; N=$2; SHOW=${3:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${WORK:-/tmp/semver-difftest}; mkdir -p "$WORK"
(cd "$HERE" && go build -o "$WORK/semver-ref" . && go build -modfile go.v34.mod -o "$WORK/semver-ref34" .)
CASES=$WORK/cases-$SEED.jsonl
python3 "$HERE/gen.py" "$SEED" "$N" "$CASES" "$WORK/cases-$SEED.hex"
"$WORK/semver-ref" -batch < "$CASES" > "$WORK/go35-$SEED.jsonl"
"$WORK/semver-ref34" -batch < "$CASES" > "$WORK/go34-$SEED.jsonl"
for compat in 3.5 3.4; do
  (cd "$REPO" && SEMVER_CASES=$WORK/cases-$SEED.hex SEMVER_OUT=$WORK/rs${compat/./}-$SEED.jsonl \
     SEMVER_COMPAT=$compat cargo test -q -p gitward --lib semver::tests::differential_dump \
     -- --ignored --exact >/dev/null 2>&1)
done
rc=0
echo "== library, Masterminds v3.5.0"
python3 "$HERE/cmp.py" "$CASES" "$WORK/go35-$SEED.jsonl" "$WORK/rs35-$SEED.jsonl" "$SHOW" \
  --corpus "$WORK/corpus-$SEED.jsonl" || rc=1
echo "== library, Masterminds v3.4.0 (Compat::V3_4)"
python3 "$HERE/cmp.py" "$CASES" "$WORK/go34-$SEED.jsonl" "$WORK/rs34-$SEED.jsonl" "$SHOW" || rc=1
echo "== CLI (gitward semver), v3.5.0 results"
BIN=${GITWARD_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/debug/gitward}
[ -x "$BIN" ] || (cd "$REPO" && cargo build -q --bin gitward)
SCORER=${SEMVER_SCORER:-$REPO/../shared/tools/semver_conformance.py}
python3 "$SCORER" "$WORK/corpus-$SEED.jsonl" --jobs 2 --cmd "$BIN semver -- {range} {versions}" \
  | tail -1 || rc=1
exit $rc
