#!/usr/bin/env bash
# A real Kubernetes control plane (etcd + kube-apiserver, no nodes) on loopback.
#
#   scripts/test-cluster.sh build   build (once) and cache kube-apiserver and etcd
#   scripts/test-cluster.sh up      start both; last line of output: admin kubeconfig path
#   scripts/test-cluster.sh down    stop exactly the processes `up` started, remove state
#   scripts/test-cluster.sh env     print KUBECONFIG=... (and the other cluster variables)
#   scripts/test-cluster.sh status  exit 0 if running and ready
#   scripts/test-cluster.sh apiserver-kill   SIGKILL the kube-apiserver only (etcd keeps its data)
#   scripts/test-cluster.sh apiserver-start  start it again on the same port and etcd
#
# State lives in ${GITWARD_TEST_RUN:-/tmp/gitward-test-run}/cluster; binaries are
# cached in ~/.cache/gitward/bin/<name>-<version>/ (see scripts/lib/build-cluster-bins.sh).
# Only the API server runs: no controller-manager, scheduler or kubelet, so
# Pods are never scheduled and deleted Namespaces stay Terminating.
set -euo pipefail
export GITWARD_SERVICE=cluster
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/build-cluster-bins.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/build-cluster-bins.sh"

SVC_DIR="$GITWARD_RUN/cluster"
PKI="$SVC_DIR/pki"
LOCK="$GITWARD_RUN/.cluster.lock"

gen_pki() {
  mkdir -p "$PKI"
  local o=(-sha256 -days 30)
  openssl req -x509 -newkey rsa:2048 -nodes "${o[@]}" -subj "/CN=gitward-test-cluster-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
  # API server serving certificate.
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$PKI/apiserver.key" -out "$PKI/apiserver.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
    "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" \
    >"$PKI/apiserver.ext"
  openssl x509 -req -in "$PKI/apiserver.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
    -CAcreateserial -CAserial "$PKI/ca.srl" "${o[@]}" -extfile "$PKI/apiserver.ext" \
    -out "$PKI/apiserver.crt" 2>/dev/null
  # Admin client certificate (system:masters), for clients that prefer certs to tokens.
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=gitward-admin" \
    -keyout "$PKI/admin.key" -out "$PKI/admin.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=clientAuth" \
    >"$PKI/client.ext"
  openssl x509 -req -in "$PKI/admin.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
    -CAserial "$PKI/ca.srl" "${o[@]}" -extfile "$PKI/client.ext" -out "$PKI/admin.crt" 2>/dev/null
  # Service-account signing key pair.
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/sa.key" 2>/dev/null
  openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  rm -f "$PKI"/*.csr "$PKI"/*.ext
  # Static tokens: token,user,uid,"group1,group2"
  ADMIN_TOKEN="$(random_secret)"
  USER_TOKEN="$(random_secret)"
  {
    echo "$ADMIN_TOKEN,gitward-admin,gitward-admin-uid,\"system:masters\""
    echo "$USER_TOKEN,gitward-user,gitward-user-uid,\"gitward:users\""
  } >"$PKI/tokens.csv"
  chmod 600 "$PKI"/*.key "$PKI/tokens.csv"
}

b64() { base64 -w0 <"$1"; }

write_kubeconfig() {
  local file="$1" user="$2" token="$3" server="$4"
  cat >"$file" <<KC
apiVersion: v1
kind: Config
clusters:
- name: gitward-test
  cluster:
    server: $server
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $user
  user:
    token: $token
contexts:
- name: gitward-test
  context:
    cluster: gitward-test
    user: $user
    namespace: default
current-context: gitward-test
KC
  chmod 600 "$file"
}

readyz() {
  local port="$1" token="$2"
  curl -fsS --max-time 2 --cacert "$PKI/ca.crt" -H "Authorization: Bearer $token" \
    "https://127.0.0.1:$port/readyz" >/dev/null 2>&1
}

# start_apiserver ETCD_PORT API_PORT: start kube-apiserver on etcd and wait until ready.
start_apiserver() {
  local etcd_client="$1" api_port="$2" admin_token ok=0
  admin_token="$(head -n1 "$PKI/tokens.csv" | cut -d, -f1)"
  start_bg kube-apiserver "$SVC_DIR/kube-apiserver.log" "$KUBE_APISERVER_BIN" \
    --etcd-servers "http://127.0.0.1:$etcd_client" \
    --bind-address 127.0.0.1 \
    --advertise-address 127.0.0.1 \
    --secure-port "$api_port" \
    --cert-dir "$SVC_DIR/apiserver-certs" \
    --tls-cert-file "$PKI/apiserver.crt" \
    --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --token-auth-file "$PKI/tokens.csv" \
    --authorization-mode RBAC \
    --anonymous-auth=true \
    --service-account-issuer "https://127.0.0.1:$api_port" \
    --service-account-key-file "$PKI/sa.pub" \
    --service-account-signing-key-file "$PKI/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --disable-admission-plugins ServiceAccount \
    --allow-privileged=true \
    --profiling=false \
    --v=1 || return 1
  for _ in $(seq 1 1200); do # up to 120 s
    if readyz "$api_port" "$admin_token"; then
      ok=2
      break
    fi
    pidfile_alive "$(pidfile_of kube-apiserver)" || break
    sleep 0.1
  done
  if [[ $ok != 2 ]]; then
    log "kube-apiserver did not become ready: $(tail -n 30 "$SVC_DIR/kube-apiserver.log")"
    return 1
  fi
}

start_once() {
  local etcd_client etcd_peer api_port
  etcd_client="$(free_port)"
  etcd_peer="$(free_port)"
  api_port="$(free_port)"
  mkdir -p "$SVC_DIR/etcd-data" "$SVC_DIR/apiserver-certs"
  start_bg etcd "$SVC_DIR/etcd.log" "$ETCD_BIN" \
    --name gitward-test \
    --data-dir "$SVC_DIR/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$etcd_client" \
    --advertise-client-urls "http://127.0.0.1:$etcd_client" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "gitward-test=http://127.0.0.1:$etcd_peer" \
    --initial-cluster-state new \
    --unsafe-no-fsync \
    --quota-backend-bytes 1073741824 \
    --log-level warn || return 1
  local ok=0
  for _ in $(seq 1 100); do
    if curl -fsS --max-time 1 "http://127.0.0.1:$etcd_client/health" 2>/dev/null | grep -q '"health":"true"'; then
      ok=1
      break
    fi
    pidfile_alive "$(pidfile_of etcd)" || break
    sleep 0.1
  done
  if [[ $ok != 1 ]]; then
    log "etcd did not become healthy: $(tail -n 20 "$SVC_DIR/etcd.log")"
    return 1
  fi

  echo "$etcd_client" >"$SVC_DIR/etcd-port"
  start_apiserver "$etcd_client" "$api_port" || return 1
  local admin_token server="https://127.0.0.1:$api_port"
  admin_token="$(head -n1 "$PKI/tokens.csv" | cut -d, -f1)"
  write_kubeconfig "$SVC_DIR/admin.kubeconfig" gitward-admin "$admin_token" "$server"
  write_kubeconfig "$SVC_DIR/user.kubeconfig" gitward-user \
    "$(sed -n 2p "$PKI/tokens.csv" | cut -d, -f1)" "$server"
  cat >"$SVC_DIR/env" <<ENV
KUBECONFIG=$SVC_DIR/admin.kubeconfig
GITWARD_KUBE_SERVER=$server
GITWARD_KUBE_VERSION=$KUBE_VERSION
GITWARD_KUBE_CA=$PKI/ca.crt
GITWARD_KUBE_USER_KUBECONFIG=$SVC_DIR/user.kubeconfig
ENV
  echo "$api_port" >"$SVC_DIR/port"
  return 0
}

is_up() {
  [[ -s "$SVC_DIR/env" && -s "$SVC_DIR/port" ]] || return 1
  all_recorded_alive || return 1
  readyz "$(cat "$SVC_DIR/port")" "$(head -n1 "$PKI/tokens.csv" | cut -d, -f1)"
}

do_down() {
  stop_recorded
  rm -rf "$SVC_DIR"
}

cmd_up() {
  need_cmd openssl curl ss setsid flock
  build_cluster_bins
  mkdir -p "$GITWARD_RUN"
  exec 7>"$LOCK"
  flock 7
  if is_up; then
    log "already up"
  else
    # Stale state from a crashed or half-finished run: stop what it recorded, start afresh.
    if [[ -e "$SVC_DIR" ]]; then
      log "removing stale state in $SVC_DIR (its logs: $GITWARD_LOGS)"
      save_logs
    fi
    do_down
    local attempt
    for attempt in 1 2 3; do
      mkdir -p "$SVC_DIR"
      gen_pki
      local t0=$SECONDS
      if start_once; then
        log "ready in $((SECONDS - t0))s (kube-apiserver $KUBE_VERSION, etcd $ETCD_VERSION)"
        break
      fi
      log "start attempt $attempt failed; retrying on other ports"
      do_down
      [[ $attempt == 3 ]] && die "could not start the cluster"
    done
  fi
  write_env
  echo "$SVC_DIR/admin.kubeconfig"
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

# Fault injection for tests: kill only the kube-apiserver (etcd keeps its data), then start
# it again on the same port, so that the kubeconfigs stay valid.
cmd_apiserver_kill() {
  [[ -s "$SVC_DIR/port" ]] || die "cluster is not up (run: $0 up)"
  local f
  f="$(pidfile_of kube-apiserver)"
  [[ -e "$f" ]] || die "kube-apiserver is not running"
  local pid
  read -r pid _ <"$f"
  pidfile_alive "$f" && kill -KILL -- "-$pid" 2>/dev/null
  stop_one "$f"
  log "kube-apiserver killed"
}

cmd_apiserver_start() {
  [[ -s "$SVC_DIR/port" && -s "$SVC_DIR/etcd-port" ]] || die "cluster is not up (run: $0 up)"
  pidfile_alive "$(pidfile_of kube-apiserver)" && die "kube-apiserver is already running"
  build_cluster_bins
  start_apiserver "$(cat "$SVC_DIR/etcd-port")" "$(cat "$SVC_DIR/port")" || die "kube-apiserver did not restart"
  log "kube-apiserver restarted"
}

case "${1:-}" in
  build) build_cluster_bins ;;
  up) cmd_up ;;
  down) cmd_down ;;
  env)
    [[ -s "$SVC_DIR/env" ]] || die "cluster is not up (run: $0 up)"
    cat "$SVC_DIR/env"
    ;;
  status) is_up ;;
  apiserver-kill) cmd_apiserver_kill ;;
  apiserver-start) cmd_apiserver_start ;;
  *)
    echo "usage: $0 build|up|down|env|status|apiserver-kill|apiserver-start" >&2
    exit 2
    ;;
esac
