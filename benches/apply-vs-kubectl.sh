#!/usr/bin/env bash
# Times `gitward apply` against `kubectl apply --server-side` (kubectl v1.35.2) on a test
# cluster of its own (scripts/test-cluster.sh, etcd + kube-apiserver on loopback): the first
# apply of N objects (creates) and a no-op re-apply of the same set, each tool in its own
# Namespace. Prints wall and CPU time (user + system of the client process) and the wall
# ratio kubectl / gitward.
#
#   benches/apply-vs-kubectl.sh [N]        (default: 1000 objects)
#
# Needs: python3, the reference kubectl (../shared/tools/reference-tools.sh), the cluster
# binaries (scripts/test-cluster.sh build), and a release build of gitward (built here).
# One run per measurement: the first apply changes the cluster, so it cannot be repeated.
# The API server shares the machine with the client, so its CPU time is part of both walls.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
shared="${GITWARD_SHARED:-$repo/../shared}"
n="${1:-1000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gitward/target}"
cargo build --quiet --release -p gitward-cli
gitward="$CARGO_TARGET_DIR/release/gitward"
eval "$(bash "$shared/tools/reference-tools.sh" | grep '^KUBECTL=')"
work=$(mktemp -d)
export GITWARD_TEST_RUN="$work/run"
cleanup() {
  scripts/test-cluster.sh down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
kubeconfig=$(scripts/test-cluster.sh up 2>/dev/null | tail -n 1)

# N objects in Namespace $1: the Namespace, then ConfigMaps, Services (headless: the test
# cluster's service IP range is a /24) and Deployments.
gen() {
  python3 - "$1" "$n" <<'PY'
import sys
ns, n = sys.argv[1], int(sys.argv[2])
out = [f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"]
for i in range(n - 1):
    k = i % 3
    if k == 0:
        out.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: {ns}\n"
                   f"data:\n  LOG_LEVEL: info\n  INDEX: \"{i}\"\n")
    elif k == 1:
        out.append(f"apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\n  namespace: {ns}\n"
                   f"spec:\n  clusterIP: None\n  selector:\n    app: web-{i}\n  ports:\n  - name: http\n    port: 80\n    targetPort: http\n")
    else:
        out.append(f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\n  namespace: {ns}\n"
                   f"spec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: web-{i}\n  template:\n"
                   f"    metadata:\n      labels:\n        app: web-{i}\n    spec:\n      containers:\n"
                   f"      - name: web\n        image: registry.example/web:1.0.{i}\n        ports:\n"
                   f"        - name: http\n          containerPort: 8080\n")
print("---\n".join(out), end="")
PY
}
gen bench-gitward >"$work/gitward.yaml"
gen bench-kubectl >"$work/kubectl.yaml"

run() { # label command... -> prints "wall cpu" (seconds), checks the exit code
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
cmd = sys.argv[2:]
before = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.monotonic()
p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.monotonic() - t0
after = resource.getrusage(resource.RUSAGE_CHILDREN)
if p.returncode != 0:
    sys.stderr.write(f"{sys.argv[1]} failed: {p.stderr.decode()[-2000:]}\n")
    sys.exit(1)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print(f"{wall:.3f} {cpu:.3f}")
PY
}

g_apply=("$gitward" apply --kubeconfig "$kubeconfig" -f "$work/gitward.yaml" --inventory-file "$work/inventory.json")
k_apply=("$KUBECTL" --kubeconfig "$kubeconfig" apply --server-side --field-manager kubectl-bench -f "$work/kubectl.yaml")

printf '%-12s %8s %14s %14s %14s %14s %10s\n' case objects gitward_wall_s gitward_cpu_s kubectl_wall_s kubectl_cpu_s wall_ratio
for case in first no-op; do
  read -r gw gc < <(run gitward "${g_apply[@]}")
  read -r kw kc < <(run kubectl "${k_apply[@]}")
  ratio=$(awk -v k="$kw" -v g="$gw" 'BEGIN { printf "%.1fx", k / g }')
  printf '%-12s %8s %14s %14s %14s %14s %10s\n' "$case" "$n" "$gw" "$gc" "$kw" "$kc" "$ratio"
done
# The no-op re-apply changed nothing.
changed=$("${g_apply[@]}" | grep -vc ' unchanged$' || true)
[ "$changed" = 0 ] || echo "warning: gitward's re-apply was not all unchanged ($changed lines)" >&2
