#!/usr/bin/env bash
# Times `gitward kustomize` against `kubectl kustomize` (kustomize v5.7.1) in one run, on
# synthetic trees from ../shared/tools/gen_kustomize_bench.py, checks that both print the
# same bytes, and prints CPU-time ratios and peak memory.
#
#   benches/kustomize-vs-kubectl.sh [N ...]        (default: 333 1333)
#
# Needs: python3, the reference kubectl (installed by ../shared/tools/reference-tools.sh),
# and a release build of gitward (built here). gitward's time is the best of 3 runs,
# kubectl's a single run (it takes minutes at N=1333). Peak memory is the command's
# largest resident set (each measurement runs under a fresh python3).
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

cpu() { # command... -> prints "cpu_seconds peak_kb" (user+system, microsecond precision;
        # the best of $REPEAT runs), output to $work/out
  python3 - "$work/out" "${REPEAT:-3}" "$@" <<'PY'
import resource, subprocess, sys
out, repeat, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
best = None
peak = 0
for _ in range(repeat):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "wb") as f:
        subprocess.run(cmd, stdout=f, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    best = cpu if best is None else min(best, cpu)
    peak = max(peak, after.ru_maxrss)
print(f"{best:.4f} {peak}")
PY
}

printf '%-6s %-8s %12s %12s %10s %12s %12s %s\n' N objects gitward_cpu_s kubectl_cpu_s ratio gitward_MB kubectl_MB identical
prev=""
for n in "${sizes[@]}"; do
  python3 "$shared/tools/gen_kustomize_bench.py" "$work/t$n" "$n" >/dev/null
  read -r g_cpu g_kb < <(cpu "$gitward" kustomize "$work/t$n/overlay")
  cp "$work/out" "$work/g$n.yaml"
  read -r k_cpu k_kb < <(REPEAT=1 cpu "$KUBECTL" kustomize "$work/t$n/overlay")
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
