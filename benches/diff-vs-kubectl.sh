#!/usr/bin/env bash
# Times `gitward diff` against `kubectl diff --server-side` (kubectl v1.35.2) on the test
# cluster: N objects (a third each ConfigMaps, Deployments and Services, in one Namespace)
# (headless: the test cluster's Service range is a /24) are applied once with `gitward apply`, then each tool diffs the same manifests against
# the cluster (both with the field manager `gitward`, conflicts forced), one run each.
# Then every object is changed (ConfigMap value, image tag, Service port) and both diff
# again. Prints wall-clock and CPU seconds (user+system of the command and its children),
# the kubectl/gitward ratios, and checks the exit codes (0 unchanged, 1 changed).
#
#   benches/diff-vs-kubectl.sh [N]        (default: 1000)
#
# Needs: python3, the reference kubectl (../shared/tools/reference-tools.sh), a release
# build of gitward (built here, in $CARGO_TARGET_DIR). The cluster is the one `KUBECONFIG`
# names when set, else scripts/test-cluster.sh starts one under $GITWARD_TEST_RUN (stopped
# at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
shared="${GITWARD_SHARED:-$repo/../shared}"
n=${1:-1000}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gitward/target}"
cargo build --quiet --release -p gitward-cli
gitward="$CARGO_TARGET_DIR/release/gitward"
eval "$(bash "$shared/tools/reference-tools.sh" | grep '^KUBECTL=')"
work=$(mktemp -d)
started=""
ns="bench-diff-$$"
cleanup() {
  rm -rf "$work"
  if [ -z "$started" ] && [ -n "${KUBECONFIG:-}" ]; then
    "$KUBECTL" -n "$ns" delete deployments,services,configmaps --all --wait=false >/dev/null 2>&1 || true
    "$KUBECTL" delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  fi
  if [ -n "$started" ]; then scripts/test-cluster.sh down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
if [ -z "${KUBECONFIG:-}" ]; then
  export GITWARD_TEST_RUN="${GITWARD_TEST_RUN:-/tmp/gitward-bench-diff}"
  KUBECONFIG=$(scripts/test-cluster.sh up | tail -1)
  export KUBECONFIG
  started=yes
fi

python3 - "$n" "$ns" >"$work/set.yaml" <<'PY'
import sys
n, ns = int(sys.argv[1]), sys.argv[2]
print(f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}")
for i in range(n):
    kind = ("ConfigMap", "Deployment", "Service")[i % 3]
    name = f"obj-{i:05d}"
    print("---")
    if kind == "ConfigMap":
        print(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
              f"data:\n  LOG_LEVEL: info\n  INDEX: \"{i}\"\n  config.yaml: |\n    server:\n      port: 8080\n      name: {name}")
    elif kind == "Deployment":
        print(f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
              f"  labels:\n    app: {name}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: {name}\n"
              f"  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n"
              f"      - name: app\n        image: registry.example/app:1.{i}.0\n        ports:\n        - containerPort: 8080\n"
              f"        env:\n        - name: INDEX\n          value: \"{i}\"\n        resources:\n          requests:\n            cpu: 10m\n            memory: 16Mi")
    else:
        print(f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n"
              f"  clusterIP: None\n  selector:\n    app: {name}\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080")
PY

"$gitward" apply -f "$work/set.yaml" --field-manager gitward >/dev/null

measure() { # label command... -> prints "wall_s cpu_s exit", stdout to $work/<label>.out
  python3 - "$work/$1.out" "${@:2}" <<'PY'
import resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
before = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.perf_counter()
with open(out, "wb") as f:
    rc = subprocess.run(cmd, stdout=f, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - t0
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print(f"{wall:.3f} {cpu:.3f} {rc}")
PY
}

# Every object changed: no dry-run can be skipped.
sed -e 's/LOG_LEVEL: info/LOG_LEVEL: debug/' -e 's/app:1\./app:2./' -e 's/    port: 80$/    port: 81/' \
  "$work/set.yaml" >"$work/changed.yaml"

printf '%-8s %-9s %-8s %10s %10s %6s\n' tool case objects wall_s cpu_s exit
objects=$((n + 1))
for case in unchanged changed; do
  file="$work/set.yaml"
  [ "$case" = changed ] && file="$work/changed.yaml"
  read -r g_wall g_cpu g_rc < <(measure "gitward-$case" "$gitward" diff -f "$file" --field-manager gitward --color never)
  read -r k_wall k_cpu k_rc < <(measure "kubectl-$case" "$KUBECTL" diff --server-side --field-manager gitward --force-conflicts -f "$file")
  printf '%-8s %-9s %-8s %10s %10s %6s\n' gitward "$case" "$objects" "$g_wall" "$g_cpu" "$g_rc"
  printf '%-8s %-9s %-8s %10s %10s %6s\n' kubectl "$case" "$objects" "$k_wall" "$k_cpu" "$k_rc"
  awk -v c="$case" -v gw="$g_wall" -v kw="$k_wall" -v gc="$g_cpu" -v kc="$k_cpu" 'BEGIN {
    if (gc < 0.001) gc = 0.001
    printf "%s: kubectl/gitward wall %.1fx, CPU %.1fx\n", c, kw / gw, kc / gc }'
  want=0
  [ "$case" = changed ] && want=1
  if [ "$g_rc" != "$want" ] || [ "$k_rc" != "$want" ]; then
    echo "$case: expected exit $want from both, got gitward $g_rc, kubectl $k_rc" >&2
  fi
done
