#!/usr/bin/env bash
# A static Helm chart repository on loopback, served by nginx:
#   * http://127.0.0.1:PORT/                 index.yaml + chart archives
#   * https://127.0.0.1:PORT/                the same over TLS (test CA)
#   * https://127.0.0.1:PORT/private/        the same behind basic auth
#   * https://127.0.0.1:PORT2/               the same, requiring a client certificate
#                                            from the test CA (mutual TLS)
# The charts are packaged here with tar (no helm binary): gitward-test-chart
# 0.1.0 and 0.2.0, each a Chart.yaml, values.yaml and one ConfigMap template.
#
#   scripts/test-helm-repo.sh up|down|env|status
set -euo pipefail
export GITWARD_SERVICE=helm-repo
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/nginx.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/nginx.sh"

SVC_DIR="$GITWARD_RUN/helm"
LOCK="$GITWARD_RUN/.helm.lock"
CHART=gitward-test-chart
REPO_USER=gitward

package_chart() {
  local version="$1" out="$2" src="$SVC_DIR/src/$1/$CHART"
  mkdir -p "$src/templates"
  cat >"$src/Chart.yaml" <<YAML
apiVersion: v2
name: $CHART
description: A tiny chart for gitward's tests
type: application
version: $version
appVersion: "$version"
YAML
  cat >"$src/values.yaml" <<YAML
greeting: hello
YAML
  cat >"$src/templates/configmap.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-greeting
data:
  greeting: {{ .Values.greeting | quote }}
  chartVersion: {{ .Chart.Version | quote }}
YAML
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2020-01-01 00:00:00Z' \
    -C "$SVC_DIR/src/$version" -cf - "$CHART" | gzip -n >"$out/$CHART-$version.tgz"
}

make_repo() {
  local repo="$SVC_DIR/repo" v digest now
  mkdir -p "$repo"
  now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  {
    echo "apiVersion: v1"
    echo "entries:"
    echo "  $CHART:"
    for v in 0.2.0 0.1.0; do
      package_chart "$v" "$repo"
      digest="$(sha256sum "$repo/$CHART-$v.tgz" | cut -d' ' -f1)"
      cat <<YAML
  - apiVersion: v2
    name: $CHART
    description: A tiny chart for gitward's tests
    type: application
    version: $v
    appVersion: "$v"
    created: "$now"
    digest: $digest
    urls:
    - $CHART-$v.tgz
YAML
    done
    echo "generated: \"$now\""
  } >"$repo/index.yaml"
  rm -rf "$SVC_DIR/src"
}

# client_cert DIR NAME: issue DIR/NAME.crt and DIR/NAME.key, a TLS client certificate
# from the test CA.
client_cert() {
  local dir="$1" name="$2" ca="$GITWARD_RUN/ca"
  ensure_ca
  mkdir -p "$dir"
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=gitward-test-client" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=clientAuth" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" \
    -CAcreateserial -CAserial "$dir/$name.srl" -days 30 -sha256 \
    -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext" "$dir/$name.srl"
}

start_all() {
  local http_port https_port mtls_port password
  http_port="$(free_port)"
  https_port="$(free_port)"
  mtls_port="$(free_port)"
  password="$(random_secret)"
  make_repo || die "cannot package the charts"
  server_cert "$SVC_DIR/tls" server || die "cannot issue the server certificate"
  client_cert "$SVC_DIR/tls" client || die "cannot issue the client certificate"
  htpasswd_bcrypt "$SVC_DIR/htpasswd" "$REPO_USER" "$password"
  {
    nginx_conf_head
    cat <<CONF
  types { application/x-yaml yaml; application/gzip tgz; }
  server {
    listen 127.0.0.1:$http_port;
    root $SVC_DIR/repo;
  }
  server {
    listen 127.0.0.1:$https_port ssl;
    ssl_certificate $SVC_DIR/tls/server.crt;
    ssl_certificate_key $SVC_DIR/tls/server.key;
    root $SVC_DIR/repo;
    location /private/ {
      auth_basic "gitward test helm repo";
      auth_basic_user_file $SVC_DIR/htpasswd;
      alias $SVC_DIR/repo/;
    }
  }
  server {
    listen 127.0.0.1:$mtls_port ssl;
    ssl_certificate $SVC_DIR/tls/server.crt;
    ssl_certificate_key $SVC_DIR/tls/server.key;
    ssl_client_certificate $GITWARD_RUN/ca/ca.crt;
    ssl_verify_client on;
    root $SVC_DIR/repo;
  }
}
CONF
  } >"$SVC_DIR/nginx.conf"
  start_nginx "$SVC_DIR/nginx.conf" || return 1
  wait_port "$http_port" 10 nginx || return 1
  wait_port "$https_port" 10 nginx || return 1
  wait_port "$mtls_port" 10 nginx || return 1
  cat >"$SVC_DIR/env" <<ENV
GITWARD_HELM_REPO_HTTP_URL=http://127.0.0.1:$http_port
GITWARD_HELM_REPO_URL=https://127.0.0.1:$https_port
GITWARD_HELM_REPO_PRIVATE_URL=https://127.0.0.1:$https_port/private
GITWARD_HELM_REPO_MTLS_URL=https://127.0.0.1:$mtls_port
GITWARD_HELM_REPO_CLIENT_CERT=$SVC_DIR/tls/client.crt
GITWARD_HELM_REPO_CLIENT_KEY=$SVC_DIR/tls/client.key
GITWARD_HELM_REPO_USER=$REPO_USER
GITWARD_HELM_REPO_PASSWORD=$password
GITWARD_HELM_REPO_DIR=$SVC_DIR/repo
GITWARD_HELM_CHART=$CHART
ENV
}

is_up() {
  [[ -s "$SVC_DIR/env" ]] && all_recorded_alive
}

do_down() {
  stop_recorded
  rm -rf "$SVC_DIR"
}

cmd_up() {
  need_cmd openssl tar gzip sha256sum ss setsid flock
  mkdir -p "$GITWARD_RUN"
  exec 7>"$LOCK"
  flock 7
  if is_up; then
    log "already up"
  else
    if [[ -e "$SVC_DIR" ]]; then
      log "removing stale state in $SVC_DIR (its logs: $GITWARD_LOGS)"
      save_logs
    fi
    do_down
    local attempt ok=0
    for attempt in 1 2 3; do
      mkdir -p "$SVC_DIR"
      if start_all; then
        ok=1
        break
      fi
      log "start attempt $attempt failed; retrying on other ports"
      do_down
    done
    [[ $ok == 1 ]] || die "could not start the helm repository"
  fi
  write_env
  cat "$SVC_DIR/env"
}

cmd_down() {
  mkdir -p "$GITWARD_RUN"
  exec 7>"$LOCK"
  flock 7
  save_logs
  do_down
  write_env
  cleanup_run_dir
  log "down"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  env)
    [[ -s "$SVC_DIR/env" ]] || die "helm repository is not up (run: $0 up)"
    cat "$SVC_DIR/env"
    ;;
  status) is_up ;;
  *)
    echo "usage: $0 up|down|env|status" >&2
    exit 2
    ;;
esac
