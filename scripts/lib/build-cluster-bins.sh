# shellcheck shell=bash
# Builds (once) kube-apiserver and etcd from their Go modules and caches them
# under $GITWARD_BIN_CACHE/<name>-<version>/. Sourced by scripts/test-cluster.sh.

KUBE_VERSION="${GITWARD_KUBE_VERSION:-v1.35.4}"
ETCD_VERSION="${GITWARD_ETCD_VERSION:-v3.6.5}"

KUBE_APISERVER_BIN="$GITWARD_BIN_CACHE/kube-apiserver-$KUBE_VERSION/kube-apiserver"
ETCD_BIN="$GITWARD_BIN_CACHE/etcd-$ETCD_VERSION/etcd"

go_build_env() {
  # Static, reproducible-ish binaries; -p follows the core count (2 here).
  export CGO_ENABLED=0
  export GOFLAGS="-mod=mod -trimpath -buildvcs=false"
  export GOTOOLCHAIN=local
}

# The `k8s.io/...` staging modules of kubernetes at $KUBE_VERSION: read from
# the `replace k8s.io/x => ./staging/src/k8s.io/x` lines of its go.mod.
kube_staging_modules() {
  local json gomod
  json="$(GOFLAGS='' go mod download -json "k8s.io/kubernetes@$KUBE_VERSION")" ||
    die "go mod download k8s.io/kubernetes@$KUBE_VERSION failed: $json"
  gomod="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [[ -s "$gomod" ]] || die "no go.mod for k8s.io/kubernetes@$KUBE_VERSION"
  KUBE_COMMIT="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]*\)",\{0,1\}$/\1/p' | head -n1)"
  sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9.-]*\) => \./staging/src/.*#\1#p' "$gomod" >"$1"
}

build_kube_apiserver() {
  [[ -x "$KUBE_APISERVER_BIN" ]] && return 0
  need_cmd go
  go_build_env
  local staging_version="v0${KUBE_VERSION#v1}" # v1.35.2 -> v0.35.2
  local work="$GITWARD_CACHE/build/kube-apiserver-$KUBE_VERSION"
  rm -rf "$work"
  mkdir -p "$work"
  log "building kube-apiserver $KUBE_VERSION (staging modules $staging_version) in $work"
  local mods KUBE_COMMIT=""
  kube_staging_modules "$work/staging-modules.txt"
  mods="$(cat "$work/staging-modules.txt")"
  [[ -n "$mods" ]] || die "found no staging modules in k8s.io/kubernetes@$KUBE_VERSION go.mod"
  {
    echo "module gitward.invalid/kube-apiserver-build"
    echo
    echo "go 1.25.0"
    echo
    echo "godebug default=go1.25"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo "replace ("
    local m
    for m in $mods; do echo "	$m => $m $staging_version"; done
    echo ")"
  } >"$work/go.mod"
  cat >"$work/tools.go" <<'GO'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GO
  local t0=$SECONDS
  (
    cd "$work"
    go mod tidy >"$work/tidy.log" 2>&1 || { cat "$work/tidy.log" >&2; exit 1; }
    go build -o "$work/kube-apiserver" \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2) -X k8s.io/component-base/version.gitCommit=${KUBE_COMMIT:-unknown} -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z" \
      k8s.io/kubernetes/cmd/kube-apiserver
  ) || die "kube-apiserver build failed (work dir $work)"
  mkdir -p "$(dirname "$KUBE_APISERVER_BIN")"
  mv "$work/kube-apiserver" "$KUBE_APISERVER_BIN.tmp"
  mv "$KUBE_APISERVER_BIN.tmp" "$KUBE_APISERVER_BIN"
  log "built kube-apiserver in $((SECONDS - t0))s: $KUBE_APISERVER_BIN"
}

build_etcd() {
  [[ -x "$ETCD_BIN" ]] && return 0
  need_cmd go
  go_build_env
  local work="$GITWARD_CACHE/build/etcd-$ETCD_VERSION"
  rm -rf "$work"
  mkdir -p "$work"
  log "building etcd $ETCD_VERSION in $work"
  cat >"$work/go.mod" <<GOMOD
module gitward.invalid/etcd-build

go 1.25.0

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
GOMOD
  cat >"$work/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  local t0=$SECONDS
  (
    cd "$work"
    go mod tidy >"$work/tidy.log" 2>&1 || { cat "$work/tidy.log" >&2; exit 1; }
    go build -o "$work/etcd" -ldflags "-s -w" .
  ) || die "etcd build failed (work dir $work)"
  mkdir -p "$(dirname "$ETCD_BIN")"
  mv "$work/etcd" "$ETCD_BIN.tmp"
  mv "$ETCD_BIN.tmp" "$ETCD_BIN"
  log "built etcd in $((SECONDS - t0))s: $ETCD_BIN"
}

build_cluster_bins() {
  mkdir -p "$GITWARD_CACHE"
  # One builder at a time (two concurrent `up`s must not build twice).
  (
    flock 8
    build_etcd
    build_kube_apiserver
  ) 8>"$GITWARD_CACHE/.build.lock"
}
