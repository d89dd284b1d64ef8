#!/bin/bash
# Differential run of gitward's go-yaml port against real go-yaml.
#   run.sh LIST NAME [N]   LIST: file with one YAML path a line; NAME: output prefix;
#                          N: how many disagreements to show (default 5)
# Needs the Go tool built: (cd tools/goyaml-events && go build -o $GOYAML_EVENTS .)
# Outputs go to $WORK (default /tmp/goyaml-difftest). DIALECTS defaults to "v3 v2 v2p"
# (v2 decodes into interface{}, so decoding errors such as "invalid map key" show up
# as disagreements; v2p only runs v2's parser and composer).
set -e
LIST=$(realpath "$1"); NAME=$2
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
WORK=${WORK:-/tmp/goyaml-difftest}; mkdir -p "$WORK"
GOYAML_EVENTS=${GOYAML_EVENTS:-/tmp/goyaml-events}
for d in ${DIALECTS:-v3 v2 v2p}; do
  "$GOYAML_EVENTS" $d - < "$LIST" > "$WORK/$NAME.go.$d" 2>/dev/null || true
  (cd "$REPO" && GOPARSE_FILES=$LIST GOPARSE_DIALECT=${d%p} GOPARSE_OUT=$WORK/$NAME.rs.$d \
     CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/root/.cache/gitward/target-helm} \
     cargo test -q -p gitward --no-default-features --lib \
     yaml::goparse::tests::differential_dump -- --ignored >/dev/null 2>&1)
  echo "[$NAME $d]"; python3 "$HERE/cmp.py" "$WORK/$NAME.go.$d" "$WORK/$NAME.rs.$d" ${3:-5}
done
