#!/usr/bin/env bash
# Times `gitward kustomize` against `kubectl kustomize` (kustomize v5.7.1) in one run, on
# synthetic trees from ../shared/tools/gen_kustomize_bench.py, checks that both print the
# same bytes, and prints CPU-time ratios and peak memory.
#
#   benches/kustomize-vs-kubectl.sh [N ...]        (default: 333 1333)
#
# Needs: python3, the reference kubectl (installed by ../shared/tools/reference-tools.sh),
# and a release build of gitward (built here).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
shared="${GITWARD_SHARED:-$repo/../shared}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gitward/target}"
cargo build --quiet --release -p gitward-cli
gitward="$CARGO_TARGET_DIR/release/gitward"
eval "$(bash "$shared/tools/reference-tools.sh" | grep '^KUBECTL=')"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(333 1333)

cpu() { # command... -> prints "cpu_seconds peak_kb" of the command, output to $work/out
  /usr/bin/time -f '%U %S %M' -o "$work/time" "$@" > "$work/out" 2>/dev/null
  awk '{printf "%.3f %d\n", $1 + $2, $3}' "$work/time"
}

printf '%-6s %-8s %12s %12s %10s %12s %12s %s\n' N objects gitward_cpu_s kubectl_cpu_s ratio gitward_MB kubectl_MB identical
prev=""
for n in "${sizes[@]}"; do
  python3 "$shared/tools/gen_kustomize_bench.py" "$work/t$n" "$n" >/dev/null
  read -r g_cpu g_kb < <(cpu "$gitward" kustomize "$work/t$n/overlay")
  cp "$work/out" "$work/g$n.yaml"
  read -r k_cpu k_kb < <(cpu "$KUBECTL" kustomize "$work/t$n/overlay")
  same=no
  cmp -s "$work/out" "$work/g$n.yaml" && same=yes
  objects=$(grep -c '^kind:' "$work/g$n.yaml" || true)
  ratio=$(awk -v k="$k_cpu" -v g="$g_cpu" 'BEGIN { if (g < 0.001) g = 0.001; printf "%.0fx", k / g }')
  printf '%-6s %-8s %12s %12s %10s %12d %12d %s\n' "$n" "$objects" "$g_cpu" "$k_cpu" "$ratio" $((g_kb / 1024)) $((k_kb / 1024)) "$same"
  if [ -n "$prev" ]; then
    awk -v a="$prev" -v b="$g_cpu" -v n0="$prev_n" -v n1="$n" 'BEGIN { printf "gitward growth from N=%s to N=%s: %.1fx\n", n0, n1, b / (a < 0.001 ? 0.001 : a) }'
  fi
  prev=$g_cpu
  prev_n=$n
done
